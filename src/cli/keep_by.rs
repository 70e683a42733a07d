//! `dedupe --keep-by FIELD[:asc|desc] [--prefer-values LIST]`: the kept member decided by a value of
//! the input record.

use std::cmp::Ordering;

use anyhow::{bail, Result};
use serde_json::Value;

use crate::corpus::{field, Record};
use crate::keep::ByKey;
use crate::pipeline::DocInfo;

/// One document's place under the policy.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKey {
    /// Rank in `--prefer-values` (values not listed come after every listed one).
    Preferred(usize),
    Number(f64, bool),
    Text(String, bool),
    /// No such field (or null): after every value.
    Missing,
}

impl Eq for FieldKey {}

impl Ord for FieldKey {
    fn cmp(&self, other: &FieldKey) -> Ordering {
        use FieldKey::*;
        let class = |k: &FieldKey| match k {
            Preferred(_) => 0,
            Number(..) => 1,
            Text(..) => 2,
            Missing => 3,
        };
        match (self, other) {
            (Preferred(a), Preferred(b)) => a.cmp(b),
            (Number(a, desc), Number(b, _)) => flip(a.total_cmp(b), *desc),
            (Text(a, desc), Text(b, _)) => flip(a.cmp(b), *desc),
            _ => class(self).cmp(&class(other)),
        }
    }
}

impl PartialOrd for FieldKey {
    fn partial_cmp(&self, other: &FieldKey) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn flip(o: Ordering, desc: bool) -> Ordering {
    if desc {
        o.reverse()
    } else {
        o
    }
}

/// The policy `--keep-by SPEC [--prefer-values LIST]` names, keyed for every document.
pub fn policy(spec: &str, prefer: Option<&str>, docs: &[DocInfo]) -> Result<ByKey<FieldKey>> {
    let (name, desc) = match spec.rsplit_once(':') {
        Some((n, "asc")) => (n, false),
        Some((n, "desc")) => (n, true),
        Some((_, other)) => bail!("--keep-by {spec}: the order is asc or desc, not \"{other}\""),
        None => (spec, false),
    };
    if name.is_empty() {
        bail!("--keep-by needs a field name, as in --keep-by date:asc");
    }
    let preferred: Option<Vec<&str>> = prefer.map(|list| {
        list.split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    });
    let mut found = 0;
    let keys: Vec<FieldKey> = docs
        .iter()
        .map(|d| {
            let key = key_of(d, name, desc, preferred.as_deref());
            found += usize::from(key != FieldKey::Missing);
            key
        })
        .collect();
    if found == 0 {
        bail!("--keep-by {name}: no record has this field (only JSON, Parquet and WARC records have fields)");
    }
    Ok(ByKey(keys))
}

fn key_of(doc: &DocInfo, name: &str, desc: bool, preferred: Option<&[&str]>) -> FieldKey {
    let (Some(Record::JsonLine(raw)) | Some(Record::ParquetRow(raw))) = doc.record() else {
        return FieldKey::Missing;
    };
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(raw) else {
        return FieldKey::Missing;
    };
    let value = match field(&object, name) {
        None | Some(Value::Null) => return FieldKey::Missing,
        Some(v) => v,
    };
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(list) = preferred {
        let rank = list.iter().position(|p| *p == text).unwrap_or(list.len());
        return FieldKey::Preferred(rank);
    }
    match value {
        Value::Number(n) => FieldKey::Number(n.as_f64().unwrap_or(f64::NAN), desc),
        _ => FieldKey::Text(text, desc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_values_then_missing() {
        let mut keys = [
            FieldKey::Missing,
            FieldKey::Text("2024-09-18".into(), false),
            FieldKey::Text("2024-09-17".into(), false),
        ];
        keys.sort();
        assert_eq!(keys[0], FieldKey::Text("2024-09-17".into(), false));
        assert_eq!(keys[2], FieldKey::Missing);
        let mut keys = vec![
            FieldKey::Number(1.0, true),
            FieldKey::Missing,
            FieldKey::Number(3.0, true),
        ];
        keys.sort();
        assert_eq!(
            keys,
            [
                FieldKey::Number(3.0, true),
                FieldKey::Number(1.0, true),
                FieldKey::Missing
            ]
        );
    }
}
