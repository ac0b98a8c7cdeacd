//! Value checks of the plain sections (`[hub]`, `[retention]`, `[log]`,
//! `[amqp]`, `[delivery]`): what serde cannot say about a well-typed value.
//! Each problem names its key.

use super::file::MESSAGE_HEADROOM_BYTES;
use super::{AmqpSection, ConfigError, DeliverySection, HubConfig};

pub(super) fn check(config: &HubConfig, file: &str) -> Result<(), ConfigError> {
    let hub = &config.hub;
    if hub.data_dir.as_os_str().is_empty() {
        return Err(ConfigError::invalid(
            file,
            "hub.data_dir",
            "must not be empty",
        ));
    }
    within(
        file,
        "hub.max_message_bytes",
        hub.max_message_bytes as u64,
        64 * 1024,
        256 * 1024 * 1024,
    )?;
    if let Some(dossier) = hub.max_dossier_bytes {
        // Everything the hub sends about a dossier must fit in a message.
        let high = hub.max_message_bytes - MESSAGE_HEADROOM_BYTES;
        if !(16 * 1024..=high).contains(&dossier) {
            return Err(ConfigError::invalid(
                file,
                "hub.max_dossier_bytes",
                format!(
                    "must be between 16384 and {high} (hub.max_message_bytes less \
                     {MESSAGE_HEADROOM_BYTES} bytes for what a message carries besides the dossier)"
                ),
            ));
        }
    }
    positive(file, "hub.cache_capacity_bytes", hub.cache_capacity_bytes)?;
    within(
        file,
        "hub.writer_cache_dossiers",
        hub.writer_cache_dossiers as u64,
        0,
        1_000_000,
    )?;
    within(
        file,
        "hub.group_commit_max_commands",
        hub.group_commit_max_commands as u64,
        1,
        10_000,
    )?;
    zero_or_at_least(
        file,
        "hub.store_reopen_after_written_bytes",
        hub.store_reopen_after_written_bytes,
        MIN_REOPEN_AFTER_BYTES,
        "never reopen",
        "each reopen makes commands wait while sled writes its snapshot",
    )?;
    zero_or_at_least(
        file,
        "hub.store_compact_after_written_bytes",
        hub.store_compact_after_written_bytes,
        MIN_COMPACT_AFTER_BYTES,
        "only when asked",
        "each compaction copies every record the store holds",
    )?;
    zero_or_at_least(
        file,
        "hub.store_compaction_reopen_after_read_bytes",
        hub.store_compaction_reopen_after_read_bytes,
        MIN_COMPACTION_REOPEN_AFTER_BYTES,
        "never reopen while compacting",
        "each reopen makes commands wait while sled opens the store again",
    )?;
    positive(
        file,
        "hub.writer_queue_capacity",
        hub.writer_queue_capacity as u64,
    )?;
    within(
        file,
        "hub.stream_window_commands",
        hub.stream_window_commands as u64,
        1,
        65_536,
    )?;
    positive(
        file,
        "retention.sweep_interval_seconds",
        config.retention.sweep_interval_seconds,
    )?;
    within(
        file,
        "retention.archive_after_days",
        config.retention.archive_after_days,
        0,
        36_500,
    )?;
    within(
        file,
        "audit.checkpoint_interval_seconds",
        config.audit.checkpoint_interval_seconds,
        1,
        7 * 24 * 3600,
    )?;
    if config
        .audit
        .signing_key_file
        .as_ref()
        .is_some_and(|p| p.as_os_str().is_empty())
    {
        return Err(ConfigError::invalid(
            file,
            "audit.signing_key_file",
            "must not be empty (leave the key out to sign nothing)",
        ));
    }
    if config.log.level.trim().is_empty() {
        return Err(ConfigError::invalid(
            file,
            "log.level",
            "must not be empty (e.g. info)",
        ));
    }
    amqp(&config.amqp, file)?;
    delivery(&config.delivery, file)
}

/// The cluster's other nodes: only beside `url`, each a URL of the same
/// scheme, user and vhost (the hub's user is who it parks messages as, and
/// its queues live in one vhost), none twice.
fn failover_urls(amqp: &AmqpSection, file: &str) -> Result<(), ConfigError> {
    if amqp.failover_urls.is_empty() {
        return Ok(());
    }
    let Some(url) = &amqp.url else {
        return Err(ConfigError::invalid(
            file,
            "amqp.failover_urls",
            "needs amqp.url: they are the other nodes of its cluster",
        ));
    };
    for (i, other) in amqp.failover_urls.iter().enumerate() {
        let key = format!("amqp.failover_urls[{i}]");
        crate::amqp::check_failover_url(url, other)
            .map_err(|rule| ConfigError::invalid(file, &key, rule))?;
        if other == url || amqp.failover_urls[..i].contains(other) {
            return Err(ConfigError::invalid(
                file,
                &key,
                "names a node already listed",
            ));
        }
    }
    Ok(())
}

fn amqp(amqp: &AmqpSection, file: &str) -> Result<(), ConfigError> {
    if let Some(url) = &amqp.url {
        if !(url.starts_with("amqp://") || url.starts_with("amqps://")) {
            return Err(ConfigError::invalid(
                file,
                "amqp.url",
                "must start with amqp:// or amqps://",
            ));
        }
    }
    failover_urls(amqp, file)?;
    amqp_tls(amqp, file)?;
    let prefix_ok = !amqp.prefix.is_empty()
        && amqp.prefix.len() <= 64
        && amqp
            .prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !prefix_ok {
        return Err(ConfigError::invalid(
            file,
            "amqp.prefix",
            "must be 1 to 64 letters, digits, `-` or `_`",
        ));
    }
    within(
        file,
        "amqp.publish_window_messages",
        amqp.publish_window_messages as u64,
        1,
        65_535,
    )?;
    positive(
        file,
        "amqp.confirm_timeout_seconds",
        amqp.confirm_timeout_seconds,
    )?;
    positive(
        file,
        "amqp.reconnect_initial_backoff_milliseconds",
        amqp.reconnect_initial_backoff_milliseconds,
    )?;
    positive(
        file,
        "amqp.reconnect_max_backoff_seconds",
        amqp.reconnect_max_backoff_seconds,
    )?;
    positive(
        file,
        "amqp.command_prefetch_messages",
        u64::from(amqp.command_prefetch_messages),
    )
}

/// The relay's retry rule and parallelism: at least one attempt, a backoff
/// that grows from a first wait to a maximum no smaller than it.
fn delivery(delivery: &DeliverySection, file: &str) -> Result<(), ConfigError> {
    within(
        file,
        "delivery.max_attempts",
        u64::from(delivery.max_attempts),
        1,
        1_000,
    )?;
    within(
        file,
        "delivery.max_backoff_seconds",
        delivery.max_backoff_seconds,
        1,
        24 * 3600,
    )?;
    positive(
        file,
        "delivery.initial_backoff_milliseconds",
        delivery.initial_backoff_milliseconds,
    )?;
    if delivery.initial_backoff_milliseconds > delivery.max_backoff_seconds * 1000 {
        return Err(ConfigError::invalid(
            file,
            "delivery.initial_backoff_milliseconds",
            format!(
                "must not exceed `delivery.max_backoff_seconds` ({} s)",
                delivery.max_backoff_seconds
            ),
        ));
    }
    within(
        file,
        "delivery.concurrency",
        delivery.concurrency as u64,
        1,
        10_000,
    )
}

/// The smallest `hub.store_compact_after_written_bytes` but 0: 64 MiB.
const MIN_COMPACT_AFTER_BYTES: u64 = 64 << 20;
/// The smallest `hub.store_compaction_reopen_after_read_bytes` but 0: 16 MiB.
const MIN_COMPACTION_REOPEN_AFTER_BYTES: u64 = 16 << 20;
/// The smallest `hub.store_reopen_after_written_bytes` but 0: 1 MiB.
const MIN_REOPEN_AFTER_BYTES: u64 = 1 << 20;

fn positive(file: &str, key: &str, value: u64) -> Result<(), ConfigError> {
    if value == 0 {
        return Err(ConfigError::invalid(file, key, "must be greater than 0"));
    }
    Ok(())
}

/// A key where 0 turns something off (`zero_means`) and any other value
/// must be at least `min` (`why`: what a smaller one would cost).
fn zero_or_at_least(
    file: &str,
    key: &str,
    value: u64,
    min: u64,
    zero_means: &str,
    why: &str,
) -> Result<(), ConfigError> {
    if value != 0 && value < min {
        return Err(ConfigError::invalid(
            file,
            key,
            format!("must be 0 ({zero_means}) or at least {min} ({why})"),
        ));
    }
    Ok(())
}

fn within(file: &str, key: &str, value: u64, low: u64, high: u64) -> Result<(), ConfigError> {
    if !(low..=high).contains(&value) {
        return Err(ConfigError::invalid(
            file,
            key,
            format!("must be between {low} and {high}"),
        ));
    }
    Ok(())
}

/// `amqp.ca_file`, `client_cert_file` and `client_key_file`: only for
/// `amqps://`, the certificate and key together, every file read and the
/// key checked against the certificate now.
fn amqp_tls(amqp: &AmqpSection, file: &str) -> Result<(), ConfigError> {
    let tls = amqp.tls();
    if tls == crate::amqp::AmqpTls::default() {
        return Ok(());
    }
    let secure = amqp
        .url
        .as_deref()
        .is_some_and(|u| u.starts_with("amqps://"));
    if !secure {
        let key = if tls.ca_file.is_some() {
            "amqp.ca_file"
        } else if tls.client_cert_file.is_some() {
            "amqp.client_cert_file"
        } else {
            "amqp.client_key_file"
        };
        return Err(ConfigError::invalid(
            file,
            key,
            "needs an `amqps://` url (TLS to the broker)",
        ));
    }
    match (&tls.client_cert_file, &tls.client_key_file) {
        (Some(_), None) => {
            return Err(ConfigError::invalid(
                file,
                "amqp.client_key_file",
                "missing: `amqp.client_cert_file` needs its private key",
            ))
        }
        (None, Some(_)) => {
            return Err(ConfigError::invalid(
                file,
                "amqp.client_cert_file",
                "missing: `amqp.client_key_file` needs its certificate",
            ))
        }
        _ => {}
    }
    tls.check()
        .map_err(|e| ConfigError::invalid(file, e.key(), e.to_string()))
}
