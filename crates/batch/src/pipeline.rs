//! The ordered parallel pipeline. A reader thread cuts the input into
//! bounded chunks; each chunk is processed by a rayon pool (work-stealing
//! over its documents); a writer thread receives the results in input order.
//! At most one chunk waits on each side of the pool, so memory is bounded by
//! about three chunks whatever the size of the input.

use std::io;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

use crate::Item;

#[derive(Clone, Copy, Debug)]
pub struct ChunkLimits {
    /// Documents per chunk: enough that the pool's tail (threads idle while
    /// the chunk's last document finishes) is small.
    pub documents: usize,
    /// Payload bytes per chunk.
    pub bytes: usize,
}

impl Default for ChunkLimits {
    fn default() -> Self {
        ChunkLimits { documents: 1024, bytes: 32 << 20 }
    }
}

/// Runs `process` on every item in parallel and hands the results to `sink`
/// chunk by chunk, in input order. Stops at the first error of `sink`.
pub fn run<I, O, P, S>(items: I, pool: &rayon::ThreadPool, limits: ChunkLimits, process: P, mut sink: S) -> io::Result<()>
where
    I: Iterator<Item = Item> + Send,
    O: Send,
    P: Fn(Item) -> O + Sync,
    S: FnMut(Vec<O>) -> io::Result<()> + Send,
{
    std::thread::scope(|scope| {
        let (chunk_tx, chunk_rx) = sync_channel::<Vec<Item>>(1);
        let (out_tx, out_rx) = sync_channel::<Vec<O>>(1);
        scope.spawn(move || {
            let mut chunk = Vec::new();
            let mut bytes = 0;
            for item in items {
                bytes += item.payload_len();
                chunk.push(item);
                if chunk.len() >= limits.documents.max(1) || bytes >= limits.bytes {
                    if chunk_tx.send(std::mem::take(&mut chunk)).is_err() {
                        return; // the pipeline stopped
                    }
                    bytes = 0;
                }
            }
            if !chunk.is_empty() {
                let _ = chunk_tx.send(chunk);
            }
        });
        let writer = scope.spawn(move || -> io::Result<()> {
            for out in out_rx {
                sink(out)?;
            }
            Ok(())
        });
        for chunk in chunk_rx {
            let out: Vec<O> = pool.install(|| chunk.into_par_iter().map(&process).collect());
            if out_tx.send(out).is_err() {
                break; // the writer failed; its error is returned below
            }
        }
        drop(out_tx);
        writer.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Content;

    fn items(n: usize) -> impl Iterator<Item = Item> + Send {
        (0..n).map(|i| Item { id: i.to_string(), location: String::new(), input_position: 0, content: Content::Text("x".repeat(i % 7)) })
    }

    #[test]
    fn keeps_input_order_across_chunks_and_threads() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let mut seen = Vec::new();
        let mut chunks = 0;
        run(
            items(5000),
            &pool,
            ChunkLimits { documents: 97, bytes: usize::MAX },
            |item| {
                // Uneven work so that later documents often finish first.
                let n: u64 = item.id.parse().unwrap();
                std::thread::sleep(std::time::Duration::from_micros((n * 7919) % 50));
                n
            },
            |out| {
                chunks += 1;
                seen.extend(out);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..5000).collect::<Vec<u64>>());
        assert_eq!(chunks, 5000usize.div_ceil(97));
    }

    #[test]
    fn a_sink_error_stops_the_run() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let mut calls = 0;
        let e = run(items(100_000), &pool, ChunkLimits { documents: 10, bytes: usize::MAX }, |i| i.id, |_| {
            calls += 1;
            if calls == 3 {
                Err(io::Error::other("disk full"))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "disk full");
        assert_eq!(calls, 3);
    }
}
