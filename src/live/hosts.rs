//! Which push server to connect to: the one the service named last, else the configured hosts
//! in turn. A host that refuses, blocks or drops the handshake hands over to the next one at
//! once; only when every host of a round has failed does the session back off.

use super::url::{host_of, rebase};

/// The push servers of one room and where the session stands among them.
#[derive(Debug, Clone, Default)]
pub struct Hosts {
    /// Base URLs without query; empty: the endpoint's URL as it is (`--ws-url`).
    bases: Vec<String>,
    at: usize,
    /// A push server the service named in a Response, tried first on the next connect.
    named: Option<String>,
    failed_in_round: usize,
}

impl Hosts {
    pub fn new(bases: Vec<String>) -> Hosts {
        Hosts {
            bases,
            ..Hosts::default()
        }
    }

    pub fn bases(&self) -> &[String] {
        &self.bases
    }

    /// `url` (a push URL with its query) on the host to try now, and why that host.
    pub fn pick(&self, url: &str) -> (String, String) {
        if let Some(named) = &self.named {
            return (rebase(url, named), "named by the server".to_string());
        }
        match self.bases.len() {
            0 => (url.to_string(), "as given".to_string()),
            1 => (
                rebase(url, &self.bases[0]),
                "the only push host".to_string(),
            ),
            n => (
                rebase(url, &self.bases[self.at]),
                format!("push host {} of {n}", self.at + 1),
            ),
        }
    }

    /// The service named a push server: it is tried first from the next connect on. True when
    /// that is news (not the host in use already). A fixed URL (`--ws-url`) follows no names:
    /// a replayed real capture would send it to Douyin.
    pub fn name(&mut self, base: String) -> bool {
        if self.bases.is_empty() || self.named.as_ref() == Some(&base) {
            return false;
        }
        if self.named.is_none() && self.bases.get(self.at) == Some(&base) {
            return false;
        }
        self.named = Some(base);
        true
    }

    /// The connection delivered frames: this host works, a new round starts from it.
    pub fn delivered(&mut self) {
        self.failed_in_round = 0;
    }

    /// The host just tried failed. The host to try at once (for the log), or `None` when every
    /// host of this round has failed: back off, then start over.
    pub fn failed(&mut self) -> Option<String> {
        if self.named.take().is_some() {
            return self.bases.get(self.at).map(|b| host_of(b).to_string());
        }
        let n = self.bases.len();
        if n <= 1 {
            return None;
        }
        self.at = (self.at + 1) % n;
        self.failed_in_round += 1;
        if self.failed_in_round >= n {
            self.failed_in_round = 0;
            return None;
        }
        Some(host_of(&self.bases[self.at]).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "wss://a.example/p/?room_id=1";

    fn three() -> Hosts {
        Hosts::new(vec![
            "wss://a.example/p/".into(),
            "wss://b.example/p/".into(),
            "wss://c.example/p/".into(),
        ])
    }

    #[test]
    fn a_failing_host_hands_over_and_a_full_round_backs_off() {
        let mut h = three();
        assert_eq!(
            h.pick(URL),
            (URL.to_string(), "push host 1 of 3".to_string())
        );
        assert_eq!(h.failed().as_deref(), Some("b.example"));
        assert_eq!(h.pick(URL).0, "wss://b.example/p/?room_id=1");
        assert_eq!(h.failed().as_deref(), Some("c.example"));
        assert_eq!(h.failed(), None, "all three failed: back off");
        assert_eq!(h.pick(URL).0, URL, "then start over");
        assert_eq!(h.failed().as_deref(), Some("b.example"));
        h.delivered();
        assert_eq!(h.failed().as_deref(), Some("c.example"));
    }

    #[test]
    fn a_named_server_goes_first_until_it_fails() {
        let mut h = three();
        assert!(!h.name("wss://a.example/p/".into()), "already in use");
        assert!(h.name("wss://n.example/p/".into()));
        assert!(!h.name("wss://n.example/p/".into()), "not news twice");
        assert_eq!(
            h.pick(URL),
            (
                "wss://n.example/p/?room_id=1".to_string(),
                "named by the server".to_string()
            )
        );
        assert_eq!(h.failed().as_deref(), Some("a.example"));
        assert_eq!(h.pick(URL).0, URL);
        let mut fixed = Hosts::new(Vec::new());
        assert!(!fixed.name("wss://n.example/p/".into()));
        assert_eq!(fixed.pick(URL).0, URL);
        assert_eq!(fixed.failed(), None);
    }
}
