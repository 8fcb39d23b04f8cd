//! The real binary as a child process, for what only a process shows: exit
//! codes, signals, resident memory, file descriptor limits.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;

/// The binary running on an ephemeral port, with its log lines. Killed
/// when dropped, so that a failed test leaves no server behind.
pub struct Running {
    child: Option<Child>,
    pub addr: String,
    /// The log lines up to the "serving" one.
    pub startup: Vec<String>,
    pub lines: Receiver<String>,
}

impl Running {
    /// The address in the start-up log line containing `needle`.
    pub fn logged_addr(&self, needle: &str) -> std::net::SocketAddr {
        let line = self
            .startup
            .iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in {:?}", self.startup));
        let log: serde_json::Value = serde_json::from_str(line).expect("a JSON log line");
        log["addr"]
            .as_str()
            .and_then(|a| a.parse().ok())
            .expect("an addr field")
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Sends signal `name` (`TERM`, `INT`, `HUP`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Waits for the process to exit, on the blocking pool, so that the
    /// test's runtime keeps driving client connections (which must see
    /// the server's GOAWAY and close for the drain to end); its exit code.
    pub async fn exit_code(mut self) -> Option<i32> {
        let mut child = self.child.take().expect("not waited for twice");
        tokio::task::spawn_blocking(move || child.wait().expect("wait").code())
            .await
            .expect("wait task")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts the binary with `extra` serve flags and returns it once it logged
/// its JSON "serving" line (with the address).
pub fn start_with(extra: &[&str]) -> Running {
    start_command(Command::new(env!("CARGO_BIN_EXE_textanalysis")), extra)
}

/// [`start_with`], with at most `descriptors` open files (`ulimit -n`).
pub fn start_with_file_limit(descriptors: u32, extra: &[&str]) -> Running {
    let mut shell = Command::new("sh");
    shell.args([
        "-c",
        &format!("ulimit -n {descriptors} && exec \"$0\" \"$@\""),
        env!("CARGO_BIN_EXE_textanalysis"),
    ]);
    start_command(shell, extra)
}

fn start_command(mut command: Command, extra: &[&str]) -> Running {
    command.args(["serve", "--log-format", "json"]);
    if !extra.contains(&"--listen") {
        command.args(["--listen", "127.0.0.1:0"]);
    }
    // Lexical mode unless the test names a model: loading the encoder is
    // not what these tests are about, and it costs each start a second and
    // 100 MB.
    if !extra.contains(&"--semantic-model") {
        command.args(["--semantic-model", "none"]);
    }
    let mut child = command
        .args(extra)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the binary");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, lines) = std::sync::mpsc::channel();
    // Forward log lines, and keep draining so the child never blocks.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut startup = Vec::new();
    let addr = loop {
        let line = lines
            .recv()
            .expect("the binary's log ended before it served");
        if line.contains("\"serving\"") {
            let log: serde_json::Value = serde_json::from_str(&line).expect("a JSON log line");
            break log["addr"].as_str().expect("addr field").to_owned();
        }
        startup.push(line);
    };
    Running {
        child: Some(child),
        addr,
        startup,
        lines,
    }
}

/// The first log line containing `needle`; fails if the process's output
/// ends first.
pub fn wait_for_log(lines: &Receiver<String>, needle: &str) -> String {
    loop {
        let line = lines
            .recv()
            .unwrap_or_else(|_| panic!("the binary's log ended before `{needle}`"));
        if line.contains(needle) {
            return line;
        }
    }
}

/// A field of `/proc/PID/status` in KiB (`VmRSS`, `VmHWM`).
pub fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// CPU time the process has used, user and system, in clock ticks.
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read stat");
    // Fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("a command name")
        .1
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of the whole line.
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}
