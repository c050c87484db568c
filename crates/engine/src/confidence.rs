//! The confidence model: boosted regression trees over a restoration's
//! [`Evidence`](crate::Evidence), giving the probability that the written
//! phrase really is a swap of the suggestion.
//!
//! Trees rather than one weighted sum because the evidence interacts: a
//! large language-model gain means much for a rare written word at two
//! unseen edges and little for a common word whose synonyms are all more
//! frequent. On the development split, at the same rate of false alarms on
//! clean prose, the trees find about a quarter more swaps and twice the
//! tortured phrases of the logistic model they replace (four-fold
//! cross-validation by document and by phrase; see
//! `crates/eval/examples/fit_confidence.rs`).
//!
//! The model is plain text, so that a refit shows as a readable diff:
//!
//! ```text
//! unspin confidence trees v1
//! features 12
//! base -2.5
//! tree
//! split 1 3.25 1 2      # feature 1 <= 3.25: node 1, else node 2
//! leaf -0.031
//! leaf 0.054
//! tree
//! ...
//! ```
//!
//! Node numbers count from the tree's first line; the first node is the root.
//! `features N`: the model reads the first N features of
//! `Evidence::features` (it may read fewer than the engine has).

use std::sync::{Arc, OnceLock};

/// The first line of a model file.
pub const HEADER: &str = "unspin confidence trees v1";

/// One node of a regression tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// `x[feature] <= threshold` goes to `left`, anything else to `right`.
    Split { feature: usize, threshold: f32, left: usize, right: usize },
    /// A leaf's contribution to the log-odds.
    Leaf(f32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

/// Log-odds = `base` + the sum of every tree's leaf for the features.
#[derive(Clone)]
pub struct ConfidenceModel {
    pub features: usize,
    pub base: f32,
    pub trees: Vec<Tree>,
    /// The trees laid out for evaluation: every node in 16 bytes, each
    /// tree's nodes together, trees one after another. Every decoded
    /// restoration passes through all trees, so their walk is a measurable
    /// part of checking.
    flat: Vec<FlatNode>,
    /// Where each tree starts in `flat`.
    roots: Vec<u32>,
}

/// A node of `ConfidenceModel::flat`: a split on `feature` with children
/// at absolute positions, or (feature == LEAF) a leaf whose value is
/// `threshold`.
#[derive(Clone, Copy)]
struct FlatNode {
    feature: u32,
    threshold: f32,
    left: u32,
    right: u32,
}

const LEAF: u32 = u32::MAX;

impl PartialEq for ConfidenceModel {
    fn eq(&self, other: &ConfidenceModel) -> bool {
        self.features == other.features && self.base == other.base && self.trees == other.trees
    }
}

impl std::fmt::Debug for ConfidenceModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ConfidenceModel({} trees over {} features)", self.trees.len(), self.features)
    }
}

/// The model fitted on the development split, shipped with the engine.
const DEFAULT_MODEL: &str = include_str!("../data/confidence.trees");

/// The same for the thorough setting ([`crate::Config::thorough`]), whose
/// permissive suspect rule hands the trees other evidence.
const THOROUGH_MODEL: &str = include_str!("../data/confidence-thorough.trees");

/// The document trees of the default and thorough settings
/// ([`crate::document`]).
const DOCUMENT_MODEL: &str = include_str!("../data/confidence-document.trees");
const THOROUGH_DOCUMENT_MODEL: &str = include_str!("../data/confidence-thorough-document.trees");
/// The models of the web profile ([`crate::Profile::Web`]): fitted on the
/// same development prose with the tortured phrases left out of the fit.
const WEB_MODEL: &str = include_str!("../data/confidence-web.trees");
const WEB_THOROUGH_MODEL: &str = include_str!("../data/confidence-web-thorough.trees");
/// The models of the papers profile ([`crate::Profile::Papers`]): fitted on
/// the same development prose, clean, and the tortured phrases, with the
/// spun documents left out of the fit.
const PAPERS_MODEL: &str = include_str!("../data/confidence-papers.trees");
const PAPERS_THOROUGH_MODEL: &str = include_str!("../data/confidence-papers-thorough.trees");

/// A model compiled into the engine, parsed on first use.
fn shipped(cell: &'static OnceLock<Arc<ConfidenceModel>>, text: &str) -> Arc<ConfidenceModel> {
    cell.get_or_init(|| Arc::new(ConfidenceModel::parse(text).expect("the shipped confidence models parse (tested)"))).clone()
}

/// One of a pair of compiled models, the default setting's and the
/// thorough one's (`texts` in that order), each parsed on first use.
fn shipped_pair(cells: &'static [OnceLock<Arc<ConfidenceModel>>; 2], texts: [&str; 2], thorough: bool) -> Arc<ConfidenceModel> {
    shipped(&cells[thorough as usize], texts[thorough as usize])
}

impl ConfidenceModel {
    /// The shipped model (parsed once).
    pub fn default_model() -> Arc<ConfidenceModel> {
        static MODEL: OnceLock<Arc<ConfidenceModel>> = OnceLock::new();
        shipped(&MODEL, DEFAULT_MODEL)
    }

    /// A model of `trees` (whose children come after their parents).
    pub fn new(features: usize, base: f32, trees: Vec<Tree>) -> ConfidenceModel {
        let mut flat = Vec::with_capacity(trees.iter().map(|t| t.nodes.len()).sum());
        let mut roots = Vec::with_capacity(trees.len());
        for tree in &trees {
            let at = flat.len() as u32;
            roots.push(at);
            flat.extend(tree.nodes.iter().map(|n| match *n {
                Node::Leaf(v) => FlatNode { feature: LEAF, threshold: v, left: 0, right: 0 },
                Node::Split { feature, threshold, left, right } => {
                    FlatNode { feature: feature as u32, threshold, left: at + left as u32, right: at + right as u32 }
                }
            }));
        }
        ConfidenceModel { features, base, trees, flat, roots }
    }

    /// The shipped model of the thorough setting (parsed once).
    pub fn thorough_model() -> Arc<ConfidenceModel> {
        static MODEL: OnceLock<Arc<ConfidenceModel>> = OnceLock::new();
        shipped(&MODEL, THOROUGH_MODEL)
    }

    /// The shipped document trees of the general profile, default or
    /// thorough (parsed once; see [`crate::document`]).
    pub fn document_model(thorough: bool) -> Arc<ConfidenceModel> {
        static MODELS: [OnceLock<Arc<ConfidenceModel>>; 2] = [OnceLock::new(), OnceLock::new()];
        shipped_pair(&MODELS, [DOCUMENT_MODEL, THOROUGH_DOCUMENT_MODEL], thorough)
    }

    /// The shipped model of the web profile, default or thorough.
    pub fn web_model(thorough: bool) -> Arc<ConfidenceModel> {
        static MODELS: [OnceLock<Arc<ConfidenceModel>>; 2] = [OnceLock::new(), OnceLock::new()];
        shipped_pair(&MODELS, [WEB_MODEL, WEB_THOROUGH_MODEL], thorough)
    }

    /// The shipped model of the papers profile, default or thorough.
    pub fn papers_model(thorough: bool) -> Arc<ConfidenceModel> {
        static MODELS: [OnceLock<Arc<ConfidenceModel>>; 2] = [OnceLock::new(), OnceLock::new()];
        shipped_pair(&MODELS, [PAPERS_MODEL, PAPERS_THOROUGH_MODEL], thorough)
    }

    /// The log-odds that the evidence `x` belongs to a real swap.
    pub fn log_odds(&self, x: &[f32]) -> f32 {
        assert!(x.len() >= self.features, "{} features given, the model reads {}", x.len(), self.features);
        let step = |node: FlatNode| {
            // In range: `parse` checks every split's feature and children,
            // and the fit builds them so.
            let next = if x[node.feature as usize] <= node.threshold { node.left } else { node.right };
            self.flat[next as usize]
        };
        let mut total = self.base;
        // Four trees at a time: their walks are chains of dependent loads,
        // and four chains overlap where one would wait on each load.
        let mut chunks = self.roots.chunks_exact(4);
        for roots in &mut chunks {
            let mut nodes = [0, 1, 2, 3].map(|k| self.flat[roots[k] as usize]);
            while nodes.iter().any(|n| n.feature != LEAF) {
                for n in &mut nodes {
                    if n.feature != LEAF {
                        *n = step(*n);
                    }
                }
            }
            total += nodes.iter().map(|n| n.threshold).sum::<f32>();
        }
        for &root in chunks.remainder() {
            let mut node = self.flat[root as usize];
            while node.feature != LEAF {
                node = step(node);
            }
            total += node.threshold;
        }
        total
    }

    /// The probability (0..1) that the evidence `x` belongs to a real swap.
    pub fn probability(&self, x: &[f32]) -> f64 {
        1.0 / (1.0 + (-self.log_odds(x) as f64).exp())
    }

    /// Reads a model file; the error names the line.
    pub fn parse(text: &str) -> Result<ConfidenceModel, String> {
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.split('#').next().unwrap_or("").trim())).filter(|(_, l)| !l.is_empty());
        let bad = |n: usize, what: &str| format!("confidence model, line {n}: {what}");
        match lines.next() {
            Some((_, l)) if l == HEADER => {}
            Some((n, _)) => return Err(bad(n, &format!("expected {HEADER:?}"))),
            None => return Err("confidence model: empty".into()),
        }
        let mut value = |key: &str| -> Result<(usize, String), String> {
            match lines.next() {
                Some((n, l)) => match l.strip_prefix(key).map(str::trim) {
                    Some(v) => Ok((n, v.to_string())),
                    None => Err(bad(n, &format!("expected {key:?}"))),
                },
                None => Err(format!("confidence model: missing {key:?}")),
            }
        };
        let (n, v) = value("features")?;
        let features: usize = v.parse().map_err(|_| bad(n, "bad feature count"))?;
        let (n, v) = value("base")?;
        let base: f32 = v.parse().map_err(|_| bad(n, "bad base"))?;
        let mut trees: Vec<Tree> = Vec::new();
        for (n, l) in lines {
            let parts: Vec<&str> = l.split_whitespace().collect();
            match parts.as_slice() {
                ["tree"] => trees.push(Tree { nodes: Vec::new() }),
                ["leaf", v] => {
                    let tree = trees.last_mut().ok_or_else(|| bad(n, "node before any tree"))?;
                    tree.nodes.push(Node::Leaf(v.parse().map_err(|_| bad(n, "bad leaf value"))?));
                }
                ["split", f, t, l, r] => {
                    let tree = trees.last_mut().ok_or_else(|| bad(n, "node before any tree"))?;
                    let parse = |s: &str| s.parse::<usize>().map_err(|_| bad(n, "bad split"));
                    let (feature, left, right) = (parse(f)?, parse(l)?, parse(r)?);
                    let threshold: f32 = t.parse().map_err(|_| bad(n, "bad threshold"))?;
                    if feature >= features {
                        return Err(bad(n, "split on a feature the model does not have"));
                    }
                    tree.nodes.push(Node::Split { feature, threshold, left, right });
                }
                _ => return Err(bad(n, "expected tree, split or leaf")),
            }
        }
        // Every child must come after its parent, so that evaluation ends.
        for (ti, tree) in trees.iter().enumerate() {
            if tree.nodes.is_empty() {
                return Err(format!("confidence model: tree {ti} has no nodes"));
            }
            for (i, node) in tree.nodes.iter().enumerate() {
                if let Node::Split { left, right, .. } = *node {
                    if left <= i || right <= i || left >= tree.nodes.len() || right >= tree.nodes.len() {
                        return Err(format!("confidence model: tree {ti}, node {i}: a child out of order or range"));
                    }
                }
            }
        }
        Ok(ConfidenceModel::new(features, base, trees))
    }

    /// Opens a model file (`unspin eval --set confidence_model=FILE`).
    pub fn open(path: &std::path::Path) -> Result<ConfidenceModel, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        ConfidenceModel::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The model as a file `parse` reads back exactly.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut out = format!("{HEADER}\nfeatures {}\nbase {:?}\n", self.features, self.base);
        for tree in &self.trees {
            out.push_str("tree\n");
            for node in &tree.nodes {
                match *node {
                    Node::Leaf(v) => writeln!(out, "leaf {v:?}").unwrap(),
                    Node::Split { feature, threshold, left, right } => writeln!(out, "split {feature} {threshold:?} {left} {right}").unwrap(),
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_models_parse_and_round_trip() {
        let shipped = [
            ConfidenceModel::default_model(),
            ConfidenceModel::thorough_model(),
            ConfidenceModel::web_model(false),
            ConfidenceModel::web_model(true),
            ConfidenceModel::papers_model(false),
            ConfidenceModel::papers_model(true),
        ];
        for m in &shipped {
            assert!(m.features <= crate::Evidence::FEATURES);
            assert!(m.trees.len() >= 10);
            assert_eq!(ConfidenceModel::parse(&m.to_text()).unwrap(), **m);
        }
        for (i, a) in shipped.iter().enumerate() {
            for b in &shipped[i + 1..] {
                assert_ne!(**a, **b);
            }
        }
    }

    #[test]
    fn trees_route_by_threshold() {
        let text = "unspin confidence trees v1\nfeatures 2\nbase 0.5\ntree\nsplit 1 2.0 1 2\nleaf -1.0\nleaf 1.5 # right\ntree\nleaf 0.25\n";
        let m = ConfidenceModel::parse(text).unwrap();
        assert_eq!(m.log_odds(&[0.0, 2.0]), 0.5 - 1.0 + 0.25);
        assert_eq!(m.log_odds(&[0.0, 2.5]), 0.5 + 1.5 + 0.25);
        assert!((m.probability(&[0.0, 9.0]) - 1.0 / (1.0 + (-2.25f64).exp())).abs() < 1e-6);
    }

    #[test]
    fn malformed_models_are_refused_with_the_line() {
        let ok = "unspin confidence trees v1\nfeatures 2\nbase 0\ntree\nleaf 1\n";
        assert!(ConfidenceModel::parse(ok).is_ok());
        for (text, needle) in [
            ("", "empty"),
            ("unspin confidence trees v9\n", "line 1"),
            ("unspin confidence trees v1\nfeatures x\n", "line 2"),
            ("unspin confidence trees v1\nfeatures 2\nbase 0\nleaf 1\n", "before any tree"),
            ("unspin confidence trees v1\nfeatures 2\nbase 0\ntree\nsplit 5 1 1 2\nleaf 0\nleaf 0\n", "does not have"),
            ("unspin confidence trees v1\nfeatures 2\nbase 0\ntree\nsplit 0 1 0 2\nleaf 0\nleaf 0\n", "out of order"),
            ("unspin confidence trees v1\nfeatures 2\nbase 0\ntree\nsplit 0 1 1 7\nleaf 0\n", "out of order"),
            ("unspin confidence trees v1\nfeatures 2\nbase 0\ntree\nbranch\n", "expected tree"),
        ] {
            let e = ConfidenceModel::parse(text).unwrap_err();
            assert!(e.contains(needle), "{text:?}: {e}");
        }
    }
}
