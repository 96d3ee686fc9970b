//! The data centre's metrics, served in the Prometheus text exposition format (0.0.4) at
//! `GET /metrics`: what an operator watches of a vendor process. Counts only, no counter or
//! account identities: purchases committed, refusals by kind, the committer's batch sizes,
//! request latency per service, contacts per service, and agenda items per service and work.
//! Histogram buckets are set here, explicitly, for what each one measures.
//!
//! The encoder is this file's own, a few lines: `prometheus-client` writes OpenMetrics, whose
//! counter families `promtool check metrics` (the independent check in the tests) reads as
//! counters without help.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

use super::error::RefusalKind;

/// Request latency buckets, in seconds: a one-piece purchase is ~1 ms on a quiet vendor; a
/// request past a second is a store or a network in trouble.
const LATENCY_BUCKETS_S: [f64; 12] = [
    0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];
/// Purchases per committed batch: one at a time when quiet, up to the committer's maximum.
const BATCH_BUCKETS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// Observations counted into fixed buckets, with their sum.
struct Histogram {
    bounds: &'static [f64],
    /// Per bucket, observations at or below its bound (not cumulative; summed when written).
    counts: Vec<AtomicU64>,
    over: AtomicU64,
    sum_bits: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            over: AtomicU64::new(0),
            sum_bits: AtomicU64::new(0f64.to_bits()),
        }
    }

    fn observe(&self, value: f64) {
        match self.bounds.iter().position(|bound| value <= *bound) {
            Some(at) => self.counts[at].fetch_add(1, Ordering::Relaxed),
            None => self.over.fetch_add(1, Ordering::Relaxed),
        };
        let _ = self
            .sum_bits
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + value).to_bits())
            });
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        let join = if labels.is_empty() { "" } else { "," };
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{join}le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += self.over.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{join}le=\"+Inf\"}} {cumulative}"
        );
        let sum = f64::from_bits(self.sum_bits.load(Ordering::Relaxed));
        let braces = |text: &str| {
            if text.is_empty() {
                String::new()
            } else {
                format!("{{{text}}}")
            }
        };
        let _ = writeln!(out, "{name}_sum{} {sum}", braces(labels));
        let _ = writeln!(out, "{name}_count{} {cumulative}", braces(labels));
    }
}

/// A label set as the text writes it, e.g. `kind="unauthenticated"`.
fn labels(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| {
            let escaped = value
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{name}=\"{escaped}\"")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Counters by label set.
#[derive(Default)]
struct CounterFamily(RwLock<BTreeMap<String, AtomicU64>>);

impl CounterFamily {
    fn inc(&self, labels: String) {
        if let Some(counter) = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&labels)
        {
            counter.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(labels)
            .or_default()
            .fetch_add(1, Ordering::Relaxed);
    }

    fn write(&self, out: &mut String, name: &str) {
        for (labels, count) in self.0.read().unwrap_or_else(PoisonError::into_inner).iter() {
            let _ = writeln!(out, "{name}{{{labels}}} {}", count.load(Ordering::Relaxed));
        }
    }
}

/// The vendor process's metrics.
pub struct Metrics {
    purchases: AtomicU64,
    refusals: CounterFamily,
    batch_purchases: Histogram,
    request_seconds: RwLock<BTreeMap<&'static str, Histogram>>,
    contacts: CounterFamily,
    agenda_items: CounterFamily,
    modem_calls: CounterFamily,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            purchases: AtomicU64::new(0),
            refusals: CounterFamily::default(),
            batch_purchases: Histogram::new(&BATCH_BUCKETS),
            request_seconds: RwLock::new(BTreeMap::new()),
            contacts: CounterFamily::default(),
            agenda_items: CounterFamily::default(),
            modem_calls: CounterFamily::default(),
        }
    }
}

impl Metrics {
    /// A request to `service` (or `other`) answered after `seconds`, refused as `refused`.
    pub fn observe_request(
        &self,
        service: &'static str,
        seconds: f64,
        refused: Option<RefusalKind>,
    ) {
        let known = self
            .request_seconds
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(histogram) = known.get(service) {
            histogram.observe(seconds);
        } else {
            drop(known);
            self.request_seconds
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(service)
                .or_insert_with(|| Histogram::new(&LATENCY_BUCKETS_S))
                .observe(seconds);
        }
        if let Some(kind) = refused {
            self.refusals.inc(labels(&[("kind", kind.name())]));
        }
    }

    /// A batch of `purchases` committed.
    pub fn observe_batch(&self, purchases: usize) {
        self.purchases
            .fetch_add(purchases as u64, Ordering::Relaxed);
        self.batch_purchases.observe(purchases as f64);
    }

    pub fn observe_contact(&self, service: &str) {
        self.contacts.inc(labels(&[("service", service)]));
    }

    pub fn observe_agenda_item(&self, service: &str, work: &str) {
        self.agenda_items
            .inc(labels(&[("service", service), ("work", work)]));
    }

    /// A call on a modem line: `answered`, or `not connected`.
    pub fn observe_modem_call(&self, result: &str) {
        self.modem_calls.inc(labels(&[("result", result)]));
    }

    /// Everything, in the Prometheus text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let head = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        let name = "postcounter_purchases_total";
        head(
            &mut out,
            name,
            "counter",
            "Purchase requests committed (a retry's replay included).",
        );
        let _ = writeln!(out, "{name} {}", self.purchases.load(Ordering::Relaxed));
        let name = "postcounter_refusals_total";
        head(
            &mut out,
            name,
            "counter",
            "Requests refused, by the refusal's kind.",
        );
        self.refusals.write(&mut out, name);
        let name = "postcounter_batch_purchases";
        head(
            &mut out,
            name,
            "histogram",
            "Purchase requests per batch the committer commits.",
        );
        self.batch_purchases.write(&mut out, name, "");
        let name = "postcounter_request_duration_seconds";
        head(
            &mut out,
            name,
            "histogram",
            "Time from a request's arrival to its answer, by service.",
        );
        for (service, histogram) in self
            .request_seconds
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            histogram.write(&mut out, name, &labels(&[("service", service)]));
        }
        let name = "postcounter_contacts_total";
        head(
            &mut out,
            name,
            "counter",
            "Authenticated requests of stations (each passes the monitor), by service.",
        );
        self.contacts.write(&mut out, name);
        let name = "postcounter_agenda_items_total";
        head(
            &mut out,
            name,
            "counter",
            "Items put on stations' agendas, by service and work.",
        );
        self.agenda_items.write(&mut out, name);
        let name = "postcounter_modem_calls_total";
        head(
            &mut out,
            name,
            "counter",
            "Calls on the remote access server's modem lines, by result.",
        );
        self.modem_calls.write(&mut out, name);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_is_written_cumulative_with_its_sum_and_count() {
        let histogram = Histogram::new(&[1.0, 2.0]);
        for value in [0.5, 1.5, 1.5, 9.0] {
            histogram.observe(value);
        }
        let mut out = String::new();
        histogram.write(&mut out, "h", "service=\"x\"");
        assert_eq!(
            out,
            "h_bucket{service=\"x\",le=\"1\"} 1\nh_bucket{service=\"x\",le=\"2\"} 3\n\
             h_bucket{service=\"x\",le=\"+Inf\"} 4\nh_sum{service=\"x\"} 12.5\nh_count{service=\"x\"} 4\n"
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(labels(&[("a", "x\"y\\z\n")]), "a=\"x\\\"y\\\\z\\n\"");
    }
}
