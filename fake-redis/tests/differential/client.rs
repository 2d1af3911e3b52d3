//! A raw RESP client that hands back each reply's exact bytes, in RESP2 or
//! RESP3 as the connection negotiated with `HELLO`.

use bytes::BytesMut;
use redis_protocol::resp2::decode::decode_bytes_mut as decode_resp2;
use redis_protocol::resp3::decode::complete::decode_bytes_mut as decode_resp3;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One connection to one server.
pub struct Conn {
    stream: TcpStream,
    buf: BytesMut,
    /// Replies are RESP3 (after a successful `HELLO 3`).
    pub resp3: bool,
}

impl Conn {
    /// Connects to `address`.
    pub async fn connect(address: &str) -> Conn {
        let stream = TcpStream::connect(address)
            .await
            .unwrap_or_else(|e| panic!("connect {address}: {e}"));
        stream.set_nodelay(true).expect("nodelay");
        Conn {
            stream,
            buf: BytesMut::new(),
            resp3: false,
        }
    }

    /// Sends one request and returns the reply's exact bytes and whether
    /// they are RESP3. A `HELLO` switches the decoder to the protocol asked
    /// for, unless it failed.
    pub async fn call(&mut self, args: &[Vec<u8>]) -> (Vec<u8>, bool) {
        let mut request = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            request.extend_from_slice(arg);
            request.extend_from_slice(b"\r\n");
        }
        self.stream.write_all(&request).await.expect("write");
        let was_resp3 = self.resp3;
        if args
            .first()
            .is_some_and(|name| name.eq_ignore_ascii_case(b"HELLO"))
        {
            match args.get(1).map(Vec::as_slice) {
                Some(b"3") => self.resp3 = true,
                Some(b"2") => self.resp3 = false,
                _ => {}
            }
        }
        let reply = self.reply().await;
        let decoded_as_resp3 = self.resp3;
        if reply.first() == Some(&b'-') {
            self.resp3 = was_resp3;
        }
        (reply, decoded_as_resp3)
    }

    /// Reads one reply.
    async fn reply(&mut self) -> Vec<u8> {
        loop {
            let decoded = if self.resp3 {
                decode_resp3(&mut self.buf).map(|found| found.map(|(_, _, raw)| raw.to_vec()))
            } else {
                decode_resp2(&mut self.buf).map(|found| found.map(|(_, _, raw)| raw.to_vec()))
            };
            match decoded {
                Ok(Some(raw)) => return raw,
                Ok(None) => {
                    let read = self.stream.read_buf(&mut self.buf).await.expect("read");
                    assert!(read > 0, "connection closed mid-reply; have {:?}", self.buf);
                }
                Err(e) => panic!("invalid RESP from the server: {e:?} in {:?}", self.buf),
            }
        }
    }
}
