//! The classic coefficients over coded items (nominal): Cohen's kappa and Scott's pi for two
//! coders, Fleiss' kappa and Krippendorff's alpha for any number.

use std::collections::HashMap;

/// Cohen's kappa for two coders; `items` are (coder 1's value, coder 2's value).
#[allow(clippy::cast_precision_loss)]
pub fn cohen_kappa(items: &[(String, String)]) -> f64 {
    let n = items.len() as f64;
    let observed = items.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let mut pa: HashMap<&str, f64> = HashMap::new();
    let mut pb: HashMap<&str, f64> = HashMap::new();
    // Counts first, divided once: adding 1/n n times need not give exactly 1, which made an
    // undefined kappa (every item in one category) look defined.
    for (a, b) in items {
        *pa.entry(a).or_default() += 1.0;
        *pb.entry(b).or_default() += 1.0;
    }
    let expected: f64 = pa
        .iter()
        .map(|(k, p)| (p / n) * (pb.get(k).copied().unwrap_or(0.0) / n))
        .sum();
    (observed - expected) / (1.0 - expected)
}

/// Scott's pi for two coders (expected agreement from the pooled distribution).
#[allow(clippy::cast_precision_loss)]
pub fn scott_pi(items: &[(String, String)]) -> f64 {
    let n = items.len() as f64;
    let observed = items.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let mut pooled: HashMap<&str, f64> = HashMap::new();
    for (a, b) in items {
        *pooled.entry(a).or_default() += 1.0;
        *pooled.entry(b).or_default() += 1.0;
    }
    let expected: f64 = pooled.values().map(|c| (c / (2.0 * n)).powi(2)).sum();
    (observed - expected) / (1.0 - expected)
}

/// Fleiss' kappa; every item has the same number (≥ 2) of values.
#[allow(clippy::cast_precision_loss)]
pub fn fleiss_kappa(items: &[Vec<String>]) -> f64 {
    let n_items = items.len() as f64;
    let raters = items.first().map_or(0, Vec::len) as f64;
    let mut totals: HashMap<&str, f64> = HashMap::new();
    let mut p_bar = 0.0;
    for item in items {
        let mut counts: HashMap<&str, f64> = HashMap::new();
        for v in item {
            *counts.entry(v).or_default() += 1.0;
            *totals.entry(v).or_default() += 1.0;
        }
        let agree: f64 = counts.values().map(|c| c * (c - 1.0)).sum();
        p_bar += agree / (raters * (raters - 1.0));
    }
    p_bar /= n_items;
    let p_e: f64 = totals
        .values()
        .map(|c| (c / (n_items * raters)).powi(2))
        .sum();
    (p_bar - p_e) / (1.0 - p_e)
}

/// Krippendorff's alpha, nominal; each item lists the values the coders gave it (missing
/// values simply absent). Items with fewer than two values are not pairable and ignored.
#[allow(clippy::cast_precision_loss)]
pub fn krippendorff_alpha_nominal(items: &[Vec<String>]) -> f64 {
    // Coincidence matrix o[c][k].
    let mut o: HashMap<(&str, &str), f64> = HashMap::new();
    for item in items {
        let m = item.len();
        if m < 2 {
            continue;
        }
        for (i, a) in item.iter().enumerate() {
            for (j, b) in item.iter().enumerate() {
                if i != j {
                    *o.entry((a, b)).or_default() += 1.0 / (m as f64 - 1.0);
                }
            }
        }
    }
    let mut n_c: HashMap<&str, f64> = HashMap::new();
    for ((c, _), v) in &o {
        *n_c.entry(c).or_default() += v;
    }
    let n: f64 = n_c.values().sum();
    let observed: f64 = o
        .iter()
        .filter(|((c, k), _)| c != k)
        .map(|(_, v)| v)
        .sum::<f64>();
    let expected: f64 = n_c
        .iter()
        .flat_map(|(c, nc)| {
            n_c.iter()
                .filter(move |(k, _)| *k != c)
                .map(move |(_, nk)| nc * nk)
        })
        .sum::<f64>()
        / (n - 1.0);
    1.0 - observed / expected
}
