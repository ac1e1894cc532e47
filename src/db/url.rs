//! The MySQL URL: parsed once, shown only with its password masked.

use std::fmt;

use mysql::{Opts, OptsBuilder};

use super::DbError;

/// Where the URL comes from when `--mysql` gives none.
pub const URL_ENV: &str = "DANMU_MYSQL_URL";

/// A parsed `mysql://USER:PASSWORD@HOST:PORT/DATABASE` URL. `Display` and `Debug` mask the
/// password, and [`DbUrl::redact`] masks it in any other text (driver and server messages).
#[derive(Clone)]
pub struct DbUrl {
    opts: Opts,
    shown: String,
    /// The password as written (percent-encoded) and as decoded.
    secrets: Vec<String>,
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<DbUrl, DbError> {
        let url = url.trim();
        // MariaDB users write mariadb://; the driver knows only mysql://.
        let url = match url.strip_prefix("mariadb://") {
            Some(rest) => format!("mysql://{rest}"),
            None => url.to_string(),
        };
        let mut secrets = raw_passwords(&url);
        let mask = |s: String| mask_all(&s, &secrets);
        if !url.starts_with("mysql://") {
            let scheme = url.split_once("://").map_or("", |(s, _)| s);
            return Err(DbError::BadUrl(if scheme.is_empty() {
                "it does not start with mysql://".into()
            } else {
                format!("scheme `{}` is not mysql://", mask(scheme.into()))
            }));
        }
        let opts = Opts::from_url(&url).map_err(|e| DbError::BadUrl(mask(e.to_string())))?;
        if let Some(p) = opts.get_pass().filter(|p| !p.is_empty()) {
            secrets.push(p.to_string());
        }
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        let shown = show(&opts);
        Ok(DbUrl {
            opts,
            shown,
            secrets,
        })
    }

    /// `flag` from `--mysql` (empty: given without a value), else [`URL_ENV`].
    pub fn from_arg_or_env(flag: Option<&str>) -> Result<DbUrl, DbError> {
        match flag.filter(|f| !f.is_empty()) {
            Some(url) => DbUrl::parse(url),
            None => match std::env::var(URL_ENV) {
                Ok(url) if !url.trim().is_empty() => DbUrl::parse(&url),
                _ => Err(DbError::NoUrl),
            },
        }
    }

    pub fn opts(&self) -> Opts {
        self.opts.clone()
    }

    /// The same server and credentials, no database selected.
    pub fn opts_without_database(&self) -> Opts {
        OptsBuilder::from_opts(self.opts.clone())
            .db_name(None::<String>)
            .into()
    }

    pub fn database(&self) -> Option<&str> {
        self.opts.get_db_name().filter(|d| !d.is_empty())
    }

    pub fn user(&self) -> &str {
        self.opts.get_user().unwrap_or("")
    }

    /// `HOST:PORT` (or the socket path) for messages.
    pub fn server(&self) -> String {
        match self.opts.get_socket() {
            Some(sock) => sock.to_string(),
            None => format!(
                "{}:{}",
                self.opts.get_ip_or_hostname(),
                self.opts.get_tcp_port()
            ),
        }
    }

    /// `text` with every occurrence of the password replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        mask_all(text, &self.secrets)
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({})", self.shown)
    }
}

fn show(opts: &Opts) -> String {
    let mut s = String::from("mysql://");
    if let Some(user) = opts.get_user().filter(|u| !u.is_empty()) {
        s.push_str(user);
        if opts.get_pass().is_some_and(|p| !p.is_empty()) {
            s.push_str(":***");
        }
        s.push('@');
    }
    s.push_str(&format!(
        "{}:{}/{}",
        opts.get_ip_or_hostname(),
        opts.get_tcp_port(),
        opts.get_db_name().unwrap_or("")
    ));
    if let Some(sock) = opts.get_socket() {
        s.push_str("?socket=");
        s.push_str(sock);
    }
    s
}

/// Passwords as written in the URL: the user-info's and a `password=` parameter's, so they can be
/// masked even when the driver rejects the URL before decoding them.
fn raw_passwords(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        if let Some((_, pass)) = userinfo.split_once(':') {
            out.push(pass.to_string());
            out.push(percent_decode(pass));
        }
    }
    if let Some((_, query)) = rest.split_once('?') {
        for pair in query.split(['&', '#']) {
            if let Some(("password", pass)) = pair.split_once('=') {
                out.push(pass.to_string());
                out.push(percent_decode(pass));
            }
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied(), b.get(i + 2).copied()) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn mask_all(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_and_redacts_without_the_password() {
        let u = DbUrl::parse("mysql://bob:p%40ss%3Aw0rd@db.example:3307/danmu").unwrap();
        assert_eq!(u.to_string(), "mysql://bob:***@db.example:3307/danmu");
        assert_eq!(
            format!("{u:?}"),
            "DbUrl(mysql://bob:***@db.example:3307/danmu)"
        );
        assert_eq!(u.database(), Some("danmu"));
        assert_eq!(u.server(), "db.example:3307");
        assert_eq!(u.redact("x p@ss:w0rd y p%40ss%3Aw0rd"), "x *** y ***");
    }

    #[test]
    fn bad_urls_do_not_echo_the_password() {
        for url in [
            "postgres://u:hunter2@h/db",
            "mysql://u:hunter2@h/db?nonsense=1",
            "mysql://u:hunter2@h:99999/db",
            "mysql://u@h/db?password=hunter2&bogus=hunter2",
        ] {
            let err = DbUrl::parse(url).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{url}: {err}");
        }
    }

    #[test]
    fn no_database_and_mariadb_scheme() {
        let u = DbUrl::parse("mariadb://root@127.0.0.1").unwrap();
        assert_eq!(u.database(), None);
        assert_eq!(u.to_string(), "mysql://root@127.0.0.1:3306/");
    }
}
