//! `load`, `db` and `--mysql` in a build without the cargo feature `mysql`: they stay in the
//! command line, so whoever types them learns how to get them rather than "unrecognized".

use anyhow::{bail, Result};
use clap::Args;

use super::Outcome;

pub const NOT_BUILT: &str = "this danmu-analyze was built without MySQL support (the cargo \
    feature `mysql`, on by default); build it with: cargo install --path . --features mysql";

/// Load decoded events into MySQL (not in this build: needs the cargo feature `mysql`).
#[derive(Args, Debug)]
pub struct LoadArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

/// MySQL's event table t_danmu (not in this build: needs the cargo feature `mysql`).
#[derive(Args, Debug)]
pub struct DbArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

pub fn run<A>(_args: A) -> Result<Outcome> {
    bail!(NOT_BUILT)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::{run, Cli};

    /// `.ci/run` runs this in the build without the feature.
    #[test]
    fn mysql_commands_say_how_to_build_with_it() {
        for args in [
            &[
                "danmu-analyze",
                "load",
                "x.dmcap",
                "--mysql",
                "mysql://u@h/d",
            ][..],
            &["danmu-analyze", "db", "init"],
            &["danmu-analyze", "words", "--mysql", "mysql://u@h/d"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            let err = run(cli).err().expect("an error").to_string();
            assert!(
                err.contains("cargo install --path . --features mysql"),
                "{args:?}: {err}"
            );
        }
    }
}
