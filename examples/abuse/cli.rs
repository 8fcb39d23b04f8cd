//! The command line: `--name value` pairs, read as the scenarios need them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use crate::{Result, USAGE};

/// `--name value` pairs.
pub struct Flags(HashMap<String, String>);

impl Flags {
    pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Self> {
        let mut flags = HashMap::new();
        while let Some(flag) = args.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("expected a --flag, got `{flag}`; {USAGE}"))?;
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            flags.insert(name.to_owned(), value);
        }
        Ok(Self(flags))
    }

    pub fn required(&self, name: &str) -> Result<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("--{name} is required").into())
    }

    pub fn optional(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn number<T: FromStr>(&self, name: &str, default: T) -> Result<T> {
        match self.0.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name}: bad number `{v}`").into()),
        }
    }

    pub fn duration(&self, name: &str, default: Duration) -> Result<Duration> {
        match self.0.get(name) {
            None => Ok(default),
            Some(v) => {
                textanalysis::config::parse_duration(v).map_err(|e| format!("--{name}: {e}").into())
            }
        }
    }

    pub fn addr(&self, name: &str) -> Result<SocketAddr> {
        let v = self.required(name)?;
        v.parse()
            .map_err(|_| format!("--{name}: `{v}` is not HOST:PORT").into())
    }

    pub fn metrics(&self) -> Result<Option<SocketAddr>> {
        match self.optional("metrics") {
            None => Ok(None),
            Some(_) => self.addr("metrics").map(Some),
        }
    }
}
