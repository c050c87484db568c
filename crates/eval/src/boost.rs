//! Gradient-boosted regression trees with logistic loss: the fit of the
//! engine's confidence model (`unspin_engine::ConfidenceModel`).
//!
//! Histogram-based, like the common libraries: every feature is cut into at
//! most `bins` quantile bins once, and a tree grows leaf by leaf, always
//! splitting the leaf whose best split lowers the (second-order) loss most,
//! until it has `max_leaves` leaves. Leaf values are Newton steps shrunk by
//! the learning rate.

use unspin_engine::confidence::{ConfidenceModel, Node, Tree};

#[derive(Clone, Debug)]
pub struct Params {
    pub iterations: usize,
    pub learning_rate: f64,
    pub max_leaves: usize,
    /// Fewest rows in a leaf.
    pub min_leaf: usize,
    /// L2 penalty on leaf values.
    pub l2: f64,
    pub bins: usize,
    /// Features the log-odds may only grow with: more
    /// evidence for a swap must never lower the confidence.
    pub increasing: Vec<usize>,
}

impl Default for Params {
    fn default() -> Params {
        Params { iterations: 75, learning_rate: 0.2, max_leaves: 31, min_leaf: 100, l2: 0.0, bins: 255, increasing: Vec::new() }
    }
}

/// A training row: features, label, weight.
pub type Row = (Vec<f32>, bool, f64);

/// Cut points of one feature: a value goes to the first bin whose cut is
/// at least the value (the last bin holds everything above every cut).
fn cuts(values: &mut [f32], bins: usize) -> Vec<f32> {
    values.sort_by(|a, b| a.total_cmp(b));
    let mut out: Vec<f32> = (1..bins).map(|i| values[(i * values.len() / bins).min(values.len() - 1)]).collect();
    out.dedup();
    // The largest value needs no cut: nothing lies above it.
    if out.last() == values.last() {
        out.pop();
    }
    out
}

struct Split {
    gain: f64,
    feature: usize,
    bin: usize,
    /// The children's leaf values (before shrinkage), within the bounds.
    left: f64,
    right: f64,
}

/// Newton leaf value of a node, kept within its bounds.
fn leaf_value(g: f64, h: f64, l2: f64, (lo, hi): (f64, f64)) -> f64 {
    (-g / (h + l2)).clamp(lo, hi)
}

/// The second-order loss of a node given its leaf value (lower is better).
fn loss(g: f64, h: f64, l2: f64, w: f64) -> f64 {
    g * w + 0.5 * (h + l2) * w * w
}

/// Sums of gradient, hessian and rows per bin of every feature.
fn histogram(binned: &[Vec<u8>], rows: &[u32], g: &[f64], h: &[f64], nbins: &[usize]) -> Vec<Vec<(f64, f64, usize)>> {
    nbins
        .iter()
        .enumerate()
        .map(|(f, &n)| {
            let mut hist = vec![(0.0, 0.0, 0usize); n];
            for &r in rows {
                let b = &mut hist[binned[f][r as usize] as usize];
                b.0 += g[r as usize];
                b.1 += h[r as usize];
                b.2 += 1;
            }
            hist
        })
        .collect()
}

/// The split of a node with leaf values within `bounds` that lowers the
/// loss most; on an increasing feature, only splits whose left value is at
/// most the right one.
fn best_split(hist: &[Vec<(f64, f64, usize)>], p: &Params, bounds: (f64, f64)) -> Option<Split> {
    let mut best: Option<Split> = None;
    for (f, bins) in hist.iter().enumerate() {
        let (gt, ht, nt) = bins.iter().fold((0.0, 0.0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
        let parent = loss(gt, ht, p.l2, leaf_value(gt, ht, p.l2, bounds));
        let increasing = p.increasing.contains(&f);
        let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0usize);
        for (bin, b) in bins.iter().enumerate().take(bins.len().saturating_sub(1)) {
            gl += b.0;
            hl += b.1;
            nl += b.2;
            if nl < p.min_leaf {
                continue;
            }
            if nt - nl < p.min_leaf {
                break;
            }
            let (gr, hr) = (gt - gl, ht - hl);
            let (left, right) = (leaf_value(gl, hl, p.l2, bounds), leaf_value(gr, hr, p.l2, bounds));
            if increasing && left > right {
                continue;
            }
            let gain = parent - loss(gl, hl, p.l2, left) - loss(gr, hr, p.l2, right);
            if gain > 1e-9 && best.as_ref().is_none_or(|s| gain > s.gain) {
                best = Some(Split { gain, feature: f, bin, left, right });
            }
        }
    }
    best
}

/// Fits the model; `rows` must not be empty.
pub fn fit(rows: &[Row], p: &Params) -> ConfidenceModel {
    fit_from(rows, p, None)
}

/// `start`'s trees, then more trees that change the log-odds only of rows
/// whose feature `gate` is positive: each new tree's root sends the others
/// to a leaf of 0. Fitted by boosting on from `start`'s log-odds over
/// those rows alone, so evidence that only some texts can show (a pair
/// the text holds elsewhere, which no one-sentence text has) refines their
/// confidence without moving anyone else's.
pub fn fit_gated(rows: &[Row], p: &Params, start: &ConfidenceModel, gate: usize) -> ConfidenceModel {
    let features = rows[0].0.len();
    assert!(gate < features && start.features <= features);
    let gated: Vec<Row> = rows.iter().filter(|r| r.0[gate] > 0.5).cloned().collect();
    let mut trees = start.trees.clone();
    if !gated.is_empty() {
        let offsets: Vec<f64> = gated.iter().map(|r| start.log_odds(&r.0) as f64).collect();
        let grown = fit_from(&gated, p, Some(&offsets));
        trees.extend(grown.trees.into_iter().map(|t| {
            // Root: gate <= 0.5 goes to node 1, a leaf of 0; else to node 2,
            // the grown tree, its node numbers moved by two.
            let mut nodes = vec![Node::Split { feature: gate, threshold: 0.5, left: 1, right: 2 }, Node::Leaf(0.0)];
            nodes.extend(t.nodes.into_iter().map(|n| match n {
                Node::Split { feature, threshold, left, right } => Node::Split { feature, threshold, left: left + 2, right: right + 2 },
                leaf => leaf,
            }));
            Tree { nodes }
        }));
    }
    ConfidenceModel::new(features, start.base, trees)
}

/// Boosting from a constant (the weighted share of positive rows) or, with
/// `offsets`, from each row's given log-odds (the model's base is then 0).
fn fit_from(rows: &[Row], p: &Params, offsets: Option<&[f64]>) -> ConfidenceModel {
    let n = rows.len();
    let features = rows[0].0.len();
    let all_cuts: Vec<Vec<f32>> = (0..features)
        .map(|f| {
            let mut v: Vec<f32> = rows.iter().map(|r| r.0[f]).collect();
            cuts(&mut v, p.bins.clamp(2, 255))
        })
        .collect();
    let binned: Vec<Vec<u8>> = (0..features)
        .map(|f| rows.iter().map(|r| all_cuts[f].partition_point(|&c| c < r.0[f]) as u8).collect())
        .collect();
    let nbins: Vec<usize> = all_cuts.iter().map(|c| c.len() + 1).collect();
    let (wsum, wpos) = rows.iter().fold((0.0, 0.0), |a, r| (a.0 + r.2, a.1 + if r.1 { r.2 } else { 0.0 }));
    let prior = (wpos / wsum).clamp(1e-6, 1.0 - 1e-6);
    let base = if offsets.is_some() { 0.0 } else { (prior / (1.0 - prior)).ln() };
    let mut logit = match offsets {
        Some(o) => o.to_vec(),
        None => vec![base; n],
    };
    let (mut g, mut h) = (vec![0.0; n], vec![0.0; n]);
    let mut trees = Vec::with_capacity(p.iterations);
    for _ in 0..p.iterations {
        for (i, r) in rows.iter().enumerate() {
            let q = 1.0 / (1.0 + (-logit[i]).exp());
            g[i] = r.2 * (q - r.1 as u8 as f64);
            h[i] = r.2 * (q * (1.0 - q)).max(1e-12);
        }
        // Leaves still open: (rows, node index in `nodes`, their histogram and best split).
        let mut nodes: Vec<Node> = vec![Node::Leaf(0.0)];
        let root: Vec<u32> = (0..n as u32).collect();
        let hist = histogram(&binned, &root, &g, &h, &nbins);
        let unbounded = (f64::NEG_INFINITY, f64::INFINITY);
        let split = best_split(&hist, p, unbounded);
        // (rows, node, best split, bounds of the leaf values below it)
        let mut open: Vec<(Vec<u32>, usize, Option<Split>, (f64, f64))> = vec![(root, 0, split, unbounded)];
        let mut leaves = 1;
        while leaves < p.max_leaves {
            let Some(at) = open
                .iter()
                .enumerate()
                .filter_map(|(i, o)| o.2.as_ref().map(|s| (i, s.gain)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i)
            else {
                break;
            };
            let (rows_here, node, split, bounds) = open.swap_remove(at);
            let split = split.expect("chosen for its split");
            // Below a split on an increasing feature, the left side stays
            // under the midpoint of the two values and the right side above.
            let (left_bounds, right_bounds) = if p.increasing.contains(&split.feature) {
                let mid = (split.left + split.right) / 2.0;
                ((bounds.0, mid), (mid, bounds.1))
            } else {
                (bounds, bounds)
            };
            let (left, right): (Vec<u32>, Vec<u32>) =
                rows_here.iter().partition(|&&r| (binned[split.feature][r as usize] as usize) <= split.bin);
            let (li, ri) = (nodes.len(), nodes.len() + 1);
            nodes.push(Node::Leaf(0.0));
            nodes.push(Node::Leaf(0.0));
            nodes[node] = Node::Split { feature: split.feature, threshold: all_cuts[split.feature][split.bin], left: li, right: ri };
            for (rs, idx, b) in [(left, li, left_bounds), (right, ri, right_bounds)] {
                let hist = histogram(&binned, &rs, &g, &h, &nbins);
                let s = best_split(&hist, p, b);
                open.push((rs, idx, s, b));
            }
            leaves += 1;
        }
        for (rs, node, _, bounds) in &open {
            let (gs, hs) = rs.iter().fold((0.0, 0.0), |a, &r| (a.0 + g[r as usize], a.1 + h[r as usize]));
            let value = leaf_value(gs, hs, p.l2, *bounds) * p.learning_rate;
            nodes[*node] = Node::Leaf(value as f32);
            for &r in rs {
                logit[r as usize] += value as f32 as f64;
            }
        }
        trees.push(Tree { nodes });
    }
    ConfidenceModel::new(features, base as f32, trees)
}

/// The model whose log-odds are the mean of the given models' (bagging):
/// the models of a cross-validation, each fitted without the rows the
/// threshold was read from, together behave on new documents as each did
/// on its held-out fold.
pub fn average(models: &[ConfidenceModel]) -> ConfidenceModel {
    let share = 1.0 / models.len() as f32;
    let trees = models
        .iter()
        .flat_map(|m| &m.trees)
        .map(|t| Tree {
            nodes: t
                .nodes
                .iter()
                .map(|n| match *n {
                    Node::Leaf(v) => Node::Leaf(v * share),
                    ref split => split.clone(),
                })
                .collect(),
        })
        .collect();
    ConfidenceModel::new(models[0].features, models.iter().map(|m| m.base).sum::<f32>() * share, trees)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A label that depends on an interaction no single weighted sum
    /// captures: positive where both features are high or both low.
    #[test]
    fn trees_learn_an_interaction_a_linear_model_cannot() {
        let mut rows = Vec::new();
        let mut state = 12345u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) as f64 / (1u64 << 31) as f64) as f32
        };
        for _ in 0..4000 {
            let (a, b) = (next(), next());
            rows.push((vec![1.0, a, b], (a > 0.5) == (b > 0.5), 1.0));
        }
        let p = Params { iterations: 60, learning_rate: 0.3, max_leaves: 4, min_leaf: 20, l2: 1.0, bins: 32, increasing: Vec::new() };
        let m = fit(&rows, &p);
        let right = rows.iter().filter(|r| (m.probability(&r.0) > 0.5) == r.1).count();
        assert!(right as f64 / rows.len() as f64 > 0.95, "{right} of {}", rows.len());
        // The features the engine evaluates with read back from text alike.
        let back = ConfidenceModel::parse(&m.to_text()).unwrap();
        assert!(rows.iter().all(|r| back.log_odds(&r.0) == m.log_odds(&r.0)));
    }

    /// A noisy label that mostly grows with feature 1 but dips in the
    /// middle: constrained, the fitted log-odds never fall as it grows.
    #[test]
    fn increasing_features_never_lower_the_log_odds() {
        let mut state = 99u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) as f64 / (1u64 << 31) as f64) as f32
        };
        let rows: Vec<Row> = (0..3000)
            .map(|_| {
                let (a, b) = (next(), next());
                let p = if (0.4..0.6).contains(&a) { 0.1 } else { a };
                (vec![1.0, a, b], next() < p, 1.0)
            })
            .collect();
        let p = Params { iterations: 40, learning_rate: 0.3, max_leaves: 8, min_leaf: 20, l2: 1.0, increasing: vec![1], ..Params::default() };
        let m = fit(&rows, &p);
        for b in [0.1f32, 0.5, 0.9] {
            let curve: Vec<f32> = (0..=100).map(|i| m.log_odds(&[1.0, i as f32 / 100.0, b])).collect();
            assert!(curve.windows(2).all(|w| w[0] <= w[1] + 1e-6), "{curve:?}");
        }
        // Unconstrained, the dip shows.
        let free = fit(&rows, &Params { increasing: Vec::new(), ..p });
        assert!(free.log_odds(&[1.0, 0.5, 0.5]) < free.log_odds(&[1.0, 0.35, 0.5]));
    }

    #[test]
    fn gated_trees_leave_rows_outside_the_gate_alone() {
        // Feature 0 carries the signal everywhere; feature 2 (the gate) marks
        // the rows where feature 1 also tells the label.
        let mut rows: Vec<Row> = Vec::new();
        for i in 0..4000 {
            let a = (i % 10) as f32;
            let gated = i % 3 == 0;
            let b = ((i / 10) % 2) as f32;
            let label = if gated { b > 0.5 } else { a >= 5.0 };
            rows.push((vec![a, if gated { b } else { 0.0 }, gated as u8 as f32], label, 1.0));
        }
        let p = Params { iterations: 20, min_leaf: 20, ..Params::default() };
        let start = fit(&rows.iter().map(|r| (r.0[..1].to_vec(), r.1, r.2)).collect::<Vec<_>>(), &p);
        let gated = fit_gated(&rows, &p, &start, 2);
        assert_eq!(gated.features, 3);
        assert!(gated.trees.len() > start.trees.len());
        for x in [[0.0, 0.0, 0.0], [7.0, 0.0, 0.0], [9.0, 1.0, 0.0]] {
            assert_eq!(gated.log_odds(&x), start.log_odds(&x), "{x:?}");
        }
        // Within the gate, feature 1 now decides.
        assert!(gated.log_odds(&[9.0, 0.0, 1.0]) < 0.0 && gated.log_odds(&[0.0, 1.0, 1.0]) > 0.0);
        let text = gated.to_text();
        assert_eq!(ConfidenceModel::parse(&text).unwrap(), gated);
    }

    #[test]
    fn an_average_has_the_mean_log_odds() {
        let a = ConfidenceModel::parse("unspin confidence trees v1\nfeatures 2\nbase 1\ntree\nsplit 1 0.5 1 2\nleaf -1\nleaf 3\n").unwrap();
        let b = ConfidenceModel::parse("unspin confidence trees v1\nfeatures 2\nbase -1\ntree\nleaf 2\n").unwrap();
        let m = average(&[a.clone(), b.clone()]);
        for x in [[1.0, 0.0], [1.0, 1.0]] {
            assert!((m.log_odds(&x) - (a.log_odds(&x) + b.log_odds(&x)) / 2.0).abs() < 1e-6);
        }
    }

    #[test]
    fn weights_count_like_repeated_rows() {
        let rows: Vec<Row> = (0..400).map(|i| (vec![1.0, (i % 10) as f32], i % 10 < 3, if i % 10 < 3 { 2.0 } else { 1.0 })).collect();
        let m = fit(&rows, &Params { iterations: 1, learning_rate: 1.0, max_leaves: 1, ..Params::default() });
        // Weighted share of positives: 120*2 / (120*2 + 280) = 6/13.
        assert!((m.base as f64 - (6.0f64 / 7.0).ln()).abs() < 1e-5, "{}", m.base);
    }
}
