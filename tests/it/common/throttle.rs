//! A TCP relay that carries the answers of its upstream no faster than a set rate, like a
//! store's Internet line, and counts the connections made through it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

pub struct Throttle {
    pub address: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl Throttle {
    /// Relays to `upstream`, its answers at `bytes_per_s`.
    pub async fn start(upstream: SocketAddr, bytes_per_s: u64) -> Throttle {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::Relaxed);
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                // A line carries bytes as they come.
                let _ = (client.set_nodelay(true), server.set_nodelay(true));
                let (mut client_read, client_write) = client.into_split();
                let (server_read, mut server_write) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                });
                tokio::spawn(carry_at(server_read, client_write, bytes_per_s));
            }
        });
        Throttle {
            address,
            connections,
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }
}

/// Copies `from` to `to`, a chunk at a time, each taking the line for its length at
/// `bytes_per_s` (a line left idle saves nothing up).
async fn carry_at(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    bytes_per_s: u64,
) {
    let mut line_free = Instant::now();
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let count = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(count) => count,
        };
        let busy = Duration::from_secs_f64(count as f64 / bytes_per_s as f64);
        line_free = line_free.max(Instant::now()) + busy;
        tokio::time::sleep_until(line_free).await;
        if to.write_all(&buffer[..count]).await.is_err() {
            return;
        }
    }
}
