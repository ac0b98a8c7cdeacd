//! Where the processor time of an AMQP measurement went: this process's
//! (`cpu.rs`, per kind of thread) and the RabbitMQ broker's, over the same
//! interval.
//!
//! The hub, its relay, the minimal pipeline, raw lapin and the consumer run
//! in this process; the broker is another process on the same two cores.
//! When the two together keep the cores busy, the rates of two loads can
//! differ only as much as their CPU per event does, this process's and the
//! broker's together: `minimal total / hub total` (and `raw lapin / relay`)
//! is then the highest ratio reachable without doing less. When cores stay
//! idle, the slower pipeline waits somewhere instead, and the thread split
//! says whose threads were busy. The broker is the process that owns the
//! socket listening on the URL's port (`/proc/net/tcp{,6}`, then
//! `/proc/*/fd`), and must be RabbitMQ's Erlang VM (`beam.smp`); its
//! `/proc/PID/stat` counts every scheduler thread's time.

use super::cpu;
use super::report::Table;
use std::net::IpAddr;

#[derive(Clone, Debug, thiserror::Error)]
pub(super) enum BrokerCpuError {
    #[error("the AMQP URL does not parse: {0}")]
    Url(String),
    #[error("the broker's host `{host}` is not a loopback address: only a broker on this machine can be looked for in /proc")]
    NotLocal { host: String },
    #[error("nothing listens on TCP port {port} (/proc/net/tcp, /proc/net/tcp6)")]
    NoListener { port: u16 },
    #[error("no process visible in /proc owns the socket listening on port {port} (another user's descriptors need root)")]
    OwnerNotVisible { port: u16 },
    #[error("port {port} belongs to `{name}` (pid {pid}), not to RabbitMQ's Erlang VM `beam.smp`")]
    NotBeam { port: u16, pid: u32, name: String },
    #[error("/proc/{pid}/stat of the broker could not be read (did it stop?)")]
    Gone { pid: u32 },
}

/// The broker's process id, or why it is not measured.
pub(super) type Broker = Result<u32, BrokerCpuError>;

/// The broker process serving `url`: the `beam.smp` that owns the socket
/// listening on its port, when its host is a loopback address.
pub(super) fn find_broker(url: &str) -> Broker {
    let uri: lapin::uri::AMQPUri = url.parse().map_err(BrokerCpuError::Url)?;
    let host = uri
        .authority
        .host
        .trim_start_matches('[')
        .trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(BrokerCpuError::NotLocal { host: host.into() });
    }
    let port = uri.authority.port;
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Ok(text) = std::fs::read_to_string(table) {
            inodes.extend(
                text.lines()
                    .filter_map(listening)
                    .filter(|(p, _)| *p == port)
                    .map(|(_, inode)| inode),
            );
        }
    }
    if inodes.is_empty() {
        return Err(BrokerCpuError::NoListener { port });
    }
    let owners = socket_owners(&inodes);
    let named: Vec<(u32, String)> = owners
        .into_iter()
        .filter_map(|pid| Some((pid, process_stat(pid)?.0)))
        .collect();
    match named.iter().find(|(_, name)| name == "beam.smp") {
        Some((pid, _)) => Ok(*pid),
        None => match named.into_iter().next() {
            Some((pid, name)) => Err(BrokerCpuError::NotBeam { port, pid, name }),
            None => Err(BrokerCpuError::OwnerNotVisible { port }),
        },
    }
}

/// A `/proc/net/tcp{,6}` line's local port and socket inode, when the
/// socket listens (state `0A`). Fields: `sl local_address rem_address st
/// tx:rx tr:when retrnsmt uid timeout inode …`, addresses as `HEX:PORT`.
fn listening(line: &str) -> Option<(u16, u64)> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if *fields.get(3)? != "0A" {
        return None;
    }
    let port = u16::from_str_radix(fields.get(1)?.rsplit(':').next()?, 16).ok()?;
    let inode = fields.get(9)?.parse().ok()?;
    Some((port, inode))
}

/// Every process holding one of these socket inodes open.
fn socket_owners(inodes: &[u64]) -> Vec<u32> {
    let wanted: Vec<String> = inodes.iter().map(|i| format!("socket:[{i}]")).collect();
    let mut owners = Vec::new();
    let Ok(processes) = std::fs::read_dir("/proc") else {
        return owners;
    };
    for process in processes.flatten() {
        let Some(pid) = process.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(process.path().join("fd")) else {
            continue;
        };
        let holds = fds.flatten().any(|fd| {
            std::fs::read_link(fd.path())
                .is_ok_and(|link| wanted.iter().any(|w| link.as_os_str() == w.as_str()))
        });
        if holds {
            owners.push(pid);
        }
    }
    owners
}

/// A process's name and user + system ticks (all its threads).
fn process_stat(pid: u32) -> Option<(String, u64)> {
    cpu::parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// This process's counters and the broker's ticks at one moment.
pub(super) struct Sample {
    me: cpu::CpuSample,
    broker: Option<u64>,
}

pub(super) fn sample(broker: &Broker) -> Sample {
    Sample {
        me: cpu::sample(),
        broker: broker
            .as_ref()
            .ok()
            .and_then(|pid| process_stat(*pid))
            .map(|(_, ticks)| ticks),
    }
}

/// What one AMQP load cost, on both sides, for `events` events.
#[derive(Clone, Debug)]
pub(super) struct Spent {
    pub(super) me: cpu::CpuSpent,
    pub(super) broker_seconds: Result<f64, BrokerCpuError>,
    pub(super) events: usize,
}

pub(super) fn spent(broker: &Broker, before: &Sample, after: &Sample, events: usize) -> Spent {
    let broker_seconds = match (broker, before.broker, after.broker) {
        (Err(e), _, _) => Err(e.clone()),
        (Ok(_), Some(b), Some(a)) => Ok(a.saturating_sub(b) as f64 / cpu::ticks_per_second()),
        (Ok(pid), _, _) => Err(BrokerCpuError::Gone { pid: *pid }),
    };
    Spent {
        me: cpu::spent(&before.me, &after.me),
        broker_seconds,
        events,
    }
}

impl Spent {
    fn me_us(&self) -> f64 {
        self.me.per_command_us(self.events)
    }

    fn broker_us(&self) -> Option<f64> {
        let seconds = self.broker_seconds.as_ref().ok()?;
        Some(seconds * 1e6 / self.events.max(1) as f64)
    }

    fn total_us(&self) -> Option<f64> {
        Some(self.me_us() + self.broker_us()?)
    }

    fn broker_cores(&self) -> Option<f64> {
        let seconds = self.broker_seconds.as_ref().ok()?;
        (self.me.wall_seconds > 0.0).then(|| seconds / self.me.wall_seconds)
    }

    /// `me + broker = total µs`, or why the broker is missing.
    fn per_event_cell(&self) -> String {
        match (self.broker_us(), &self.broker_seconds) {
            (Some(b), _) => format!("{:.0} + {b:.0} = {:.0} µs", self.me_us(), self.me_us() + b),
            (None, Err(e)) => format!("{:.0} µs + broker not measured ({e})", self.me_us()),
            (None, Ok(_)) => format!("{:.0} µs + broker n/a", self.me_us()),
        }
    }

    /// `me + broker = total cores` over the wall time.
    fn cores_cell(&self) -> String {
        let me = self.me.cores_busy();
        match self.broker_cores() {
            Some(b) => format!(
                "{me:.2} + {b:.2} = {:.2} over {:.2} s",
                me + b,
                self.me.wall_seconds
            ),
            None => format!(
                "{me:.2} + broker not measured over {:.2} s",
                self.me.wall_seconds
            ),
        }
    }
}

/// Which side limits a load on `cores` cores: all of them busy (then CPU
/// per event decides), the broker alone near one core (a queue's log is one
/// Erlang process), or idle cores (the pipeline waits).
pub(super) fn verdict(me_cores: f64, broker_cores: Option<f64>, cores: usize) -> String {
    let Some(broker) = broker_cores else {
        return format!("broker not measured; this process {me_cores:.2} cores busy");
    };
    let total = me_cores + broker;
    let cores_f = cores.max(1) as f64;
    let mut said = if total >= 0.9 * cores_f {
        format!("CPU bound: {total:.2} of {cores} cores busy")
    } else {
        format!(
            "{:.2} of {cores} cores idle: the pipeline waits (disk, confirms or one serial step)",
            cores_f - total
        )
    };
    if broker >= 0.8 {
        said.push_str(&format!("; the broker alone keeps {broker:.2} cores busy"));
    }
    if me_cores >= 0.8 * cores_f {
        said.push_str(&format!(
            "; this process alone keeps {me_cores:.2} cores busy"
        ));
    }
    said
}

/// The four AMQP loads' processor time.
pub(super) struct AmqpCpu {
    pub(super) broker: Broker,
    pub(super) e2e: Spent,
    pub(super) minimal: Spent,
    pub(super) catch_up: Spent,
    pub(super) raw: Spent,
}

/// The rows beside the AMQP rates: per event, per kind of thread, cores
/// busy, which side is bound, and the CPU-per-event ratio that bounds each
/// rate ratio when the cores are busy.
pub(super) fn rows(t: &mut Table, c: &AmqpCpu) {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    t.row(
        "RabbitMQ broker process measured for CPU",
        match &c.broker {
            Ok(pid) => format!("beam.smp, pid {pid}"),
            Err(e) => format!("none: {e}"),
        },
    );
    for (title, numerator, denominator, a, b) in [
        (
            "hub end to end / minimal pipeline",
            "minimal / hub",
            "first command → last consumed",
            &c.e2e,
            &c.minimal,
        ),
        (
            "relay alone / raw lapin",
            "raw lapin / relay",
            "first → last consumed",
            &c.catch_up,
            &c.raw,
        ),
    ] {
        t.row(
            format!("CPU per event ({denominator}), this process + broker: {title}"),
            format!("{} / {}", a.per_event_cell(), b.per_event_cell()),
        );
        for (k, what) in [
            ("writer", "writer thread"),
            ("flusher", "flusher thread"),
            ("sled", "sled threads"),
            ("tokio", "tokio workers (gRPC, relay, publisher, consumer)"),
            ("lapin", "lapin I/O loops (one per connection)"),
            ("other", "other threads (main: raw lapin's publishing loop)"),
        ] {
            t.row(
                format!("… of which this process's {what}: {title}"),
                format!(
                    "{:.0} / {:.0} µs",
                    a.me.kind_per_command_us(k, a.events),
                    b.me.kind_per_command_us(k, b.events)
                ),
            );
        }
        t.row(
            format!("cores kept busy, this process + broker: {title}"),
            format!("{} / {}", a.cores_cell(), b.cores_cell()),
        );
        for (who, s) in [
            (title.split(" / ").next(), a),
            (title.split(" / ").nth(1), b),
        ] {
            t.row(
                format!("which side is bound: {}", who.unwrap_or_default()),
                verdict(s.me.cores_busy(), s.broker_cores(), cores),
            );
        }
        t.ratio(
            &format!(
                "{numerator} total CPU per event (the rate ratio's bound when the cores are busy)"
            ),
            b.total_us().unwrap_or(f64::NAN),
            a.total_us().unwrap_or(f64::NAN),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listening_socket_gives_its_port_and_inode() {
        // Lines as /proc/net/tcp prints them (RabbitMQ on 127.0.0.1:5672).
        let listen = "   6: 0100007F:1628 00000000:0000 0A 00000000:00000000 00:00000000 \
                      00000000   106        0 48176 1 00000000302b4aa0 100 0 0 10 0";
        assert_eq!(listening(listen), Some((5672, 48176)));
        let established = "  12: 0100007F:1628 0100007F:D2A4 01 00000000:00000000 \
                           00:00000000 00000000   106        0 51234 1 0000000000000000 20 4 30 10 -1";
        assert_eq!(listening(established), None);
        let header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when \
                      retrnsmt   uid  timeout inode";
        assert_eq!(listening(header), None);
    }

    #[test]
    fn the_erlang_vm_stat_line_gives_its_name_and_ticks() {
        let line = "4995 (beam.smp) S 1 4994 4994 0 -1 4194304 52193 0 0 0 1106 565 0 0 20 0 \
                    20 0 18083 2299428864 36924 18446744073709551615";
        assert_eq!(cpu::parse_stat(line), Some(("beam.smp".into(), 1671)));
    }

    fn test_url() -> String {
        std::env::var("LIENTHONG_TEST_AMQP_URL")
            .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
    }

    #[test]
    fn the_local_broker_is_found_and_its_cpu_is_read() {
        let broker = find_broker(&test_url());
        let pid = *broker.as_ref().expect("the test broker (tests/broker.sh)");
        let (name, _) = process_stat(pid).expect("its /proc/PID/stat parses");
        assert_eq!(name, "beam.smp");
        let before = sample(&broker);
        let after = sample(&broker);
        let spent = spent(&broker, &before, &after, 1);
        assert!(spent.broker_seconds.is_ok(), "{spent:?}");
        assert!(
            spent.per_event_cell().contains(" = "),
            "{}",
            spent.per_event_cell()
        );
    }

    #[test]
    fn a_port_held_by_another_program_or_by_none_is_said_so() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = format!("amqp://guest:guest@127.0.0.1:{port}/%2f");
        match find_broker(&url) {
            Err(BrokerCpuError::NotBeam { pid, .. }) => assert_eq!(pid, std::process::id()),
            other => panic!("{other:?}"),
        }
        drop(listener);
        assert!(matches!(
            find_broker(&url),
            Err(BrokerCpuError::NoListener { port: p }) if p == port
        ));
        let remote = find_broker("amqp://guest:guest@broker.example.vn:5672/%2f");
        assert!(
            matches!(remote, Err(BrokerCpuError::NotLocal { .. })),
            "{remote:?}"
        );
        // Not measured is never shown as zero.
        let spent = spent(&remote, &sample(&remote), &sample(&remote), 10);
        assert!(spent.per_event_cell().contains("not measured"), "{spent:?}");
    }

    #[test]
    fn the_verdict_names_the_bound_side() {
        assert_eq!(
            verdict(1.1, Some(0.85), 2),
            "CPU bound: 1.95 of 2 cores busy; the broker alone keeps 0.85 cores busy"
        );
        assert!(verdict(0.6, Some(0.5), 2).starts_with("0.90 of 2 cores idle"));
        assert!(verdict(1.7, Some(0.2), 2).ends_with("this process alone keeps 1.70 cores busy"));
        assert!(verdict(1.0, None, 2).starts_with("broker not measured"));
    }
}
