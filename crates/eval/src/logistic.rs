//! The logistic regression that calibrates confidences: the engine's
//! (`examples/fit_confidence.rs`) and the neural verifier's
//! (`crates/neural/examples/fit_verifier.rs`).

/// L2-regularised (lambda 1, bias not penalised) logistic regression by
/// Newton's method on standardised features, `iterations` steps. Feature 0
/// of every row is the bias (1.0). Returns weights for the raw features,
/// index 0 the bias.
pub fn fit<const N: usize>(rows: &[([f32; N], bool)], iterations: usize) -> [f32; N] {
    let n = rows.len() as f64;
    let mut mean = [0f64; N];
    let mut sd = [1f64; N];
    for j in 1..N {
        mean[j] = rows.iter().map(|r| r.0[j] as f64).sum::<f64>() / n;
        let v = rows.iter().map(|r| (r.0[j] as f64 - mean[j]).powi(2)).sum::<f64>() / n;
        sd[j] = v.sqrt().max(1e-6);
    }
    let xs: Vec<[f64; N]> = rows
        .iter()
        .map(|r| {
            let mut o = [1f64; N];
            for j in 1..N {
                o[j] = (r.0[j] as f64 - mean[j]) / sd[j];
            }
            o
        })
        .collect();
    let mut beta = [0f64; N];
    for _ in 0..iterations {
        let mut g = [0f64; N];
        let mut h = [[0f64; N]; N];
        for (x, r) in xs.iter().zip(rows) {
            let p = 1.0 / (1.0 + (-x.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>()).exp());
            let y = r.1 as u8 as f64;
            for i in 0..N {
                g[i] += (p - y) * x[i];
                for j in 0..N {
                    h[i][j] += p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 1..N {
            g[i] += beta[i];
            h[i][i] += 1.0;
        }
        let step = solve(h, g);
        for i in 0..N {
            beta[i] -= step[i];
        }
    }
    let mut w = [0f32; N];
    let mut bias = beta[0];
    for j in 1..N {
        w[j] = (beta[j] / sd[j]) as f32;
        bias -= beta[j] * mean[j] / sd[j];
    }
    w[0] = bias as f32;
    w
}

/// Solves `a x = b` by Gauss-Jordan elimination with partial pivoting; a
/// singular direction gets 0.
fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> [f64; N] {
    for c in 0..N {
        let p = (c..N).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs())).unwrap();
        a.swap(c, p);
        b.swap(c, p);
        let d = a[c][c];
        if d.abs() < 1e-12 {
            continue;
        }
        for r in 0..N {
            if r != c {
                let f = a[r][c] / d;
                for k in c..N {
                    a[r][k] -= f * a[c][k];
                }
                b[r] -= f * b[c];
            }
        }
    }
    let mut x = [0f64; N];
    for i in 0..N {
        x[i] = if a[i][i].abs() < 1e-12 { 0.0 } else { b[i] / a[i][i] };
    }
    x
}

#[cfg(test)]
mod tests {
    /// Rows labelled by the sign of x - 2 give a positive slope and a
    /// decision boundary near 2.
    #[test]
    fn fit_finds_the_boundary() {
        let rows: Vec<([f32; 2], bool)> = (0..400).map(|i| {
            let x = i as f32 / 100.0;
            ([1.0, x], x > 2.0)
        }).collect();
        let w = super::fit(&rows, 30);
        assert!(w[1] > 0.0, "{w:?}");
        let boundary = -w[0] / w[1];
        assert!((boundary - 2.0).abs() < 0.2, "boundary {boundary}");
    }
}
