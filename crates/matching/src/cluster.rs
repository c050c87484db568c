//! Groups of documents that are spun variants of one another.
//!
//! Every document is matched against the others (LSH candidates, then the
//! alignment score); pairs at least `min_similarity` alike are joined, and
//! the connected components are the clusters. Two variants of one seed are
//! linked directly (their swapped words are synonyms of a common word) or
//! through the seed when it is in the corpus.

use rayon::prelude::*;
use serde::Serialize;

use crate::{Corpus, Matcher, MemoryIndex};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cluster {
    pub cluster: usize,
    pub size: usize,
    /// Member ids, in corpus order.
    pub ids: Vec<String>,
    /// The strongest link inside the cluster and the weakest one kept.
    pub max_similarity: f64,
    pub min_similarity: f64,
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }
}

/// Clusters of at least `min_size` documents, largest first.
pub fn cluster(matcher: &Matcher, index: &MemoryIndex, min_size: usize) -> Vec<Cluster> {
    let n = index.len() as usize;
    let edges: Vec<(usize, usize, f64)> = (0..n)
        .into_par_iter()
        .flat_map_iter(|i| {
            let q = matcher.analyse(index.text(i as u64));
            matcher
                .find_analysed(index, &q, usize::MAX, Some(i as u64))
                .into_iter()
                .filter(move |m| (m.doc as usize) > i)
                .map(move |m| (i, m.doc as usize, m.similarity))
        })
        .collect();
    let mut uf = UnionFind((0..n).collect());
    for &(a, b, _) in &edges {
        uf.union(a, b);
    }
    let mut members: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..n {
        let r = uf.find(i);
        members.entry(r).or_default().push(i);
    }
    let mut link: std::collections::HashMap<usize, (f64, f64)> = Default::default();
    for &(a, _, s) in &edges {
        let r = uf.find(a);
        let e = link.entry(r).or_insert((0.0, 1.0));
        e.0 = e.0.max(s);
        e.1 = e.1.min(s);
    }
    let mut out: Vec<Cluster> = members
        .into_iter()
        .filter(|(_, m)| m.len() >= min_size.max(1))
        .map(|(root, m)| {
            let (max_similarity, min_similarity) = link.get(&root).copied().unwrap_or((1.0, 1.0));
            Cluster {
                cluster: 0,
                size: m.len(),
                ids: m.iter().map(|&d| index.id(d as u64).to_string()).collect(),
                max_similarity,
                min_similarity,
            }
        })
        .collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.size));
    for (i, c) in out.iter_mut().enumerate() {
        c.cluster = i;
    }
    out
}
