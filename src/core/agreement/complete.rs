//! The coefficients of [`super::coefficients`] for complete data — every coder coded every
//! item — with the values as small numbers: one column per coder, `map` turning a stored value
//! into one of `k` categories. Counting, no hashing; the same figures (the tests compare).

/// Cohen's kappa of two coders' columns.
#[allow(clippy::cast_precision_loss)]
pub fn cohen_kappa(first: &[u32], second: &[u32], map: &[u32], k: usize) -> f64 {
    let mut pa = vec![0u64; k];
    let mut pb = vec![0u64; k];
    let mut same = 0u64;
    for (&v, &w) in first.iter().zip(second) {
        let (v, w) = (map[v as usize], map[w as usize]);
        pa[v as usize] += 1;
        pb[w as usize] += 1;
        same += u64::from(v == w);
    }
    let n = first.len() as f64;
    let observed = same as f64 / n;
    let expected: f64 = pa
        .iter()
        .zip(&pb)
        .map(|(&x, &y)| (x as f64 / n) * (y as f64 / n))
        .sum();
    (observed - expected) / (1.0 - expected)
}

/// Fleiss' kappa and Krippendorff's alpha (nominal) of all the coders' columns.
///
/// Per item, only the number of agreeing ordered pairs of coders matters: Fleiss' `P_i` is
/// that over `m(m − 1)`, and the item adds `m(m − 1) − agreeing` pairs over `m − 1` to alpha's
/// observed coincidences; the category totals give both expected terms.
#[allow(clippy::cast_precision_loss)]
pub fn fleiss_and_alpha(columns: &[Vec<u32>], map: &[u32], k: usize) -> (f64, f64) {
    let m = columns.len();
    let items = columns.first().map_or(0, Vec::len);
    let mut totals = vec![0u64; k];
    let mut agreeing = 0u64;
    let mut row = vec![0u32; m];
    for t in 0..items {
        for (c, column) in columns.iter().enumerate() {
            let v = map[column[t] as usize];
            row[c] = v;
            totals[v as usize] += 1;
        }
        for i in 0..m {
            for j in i + 1..m {
                agreeing += 2 * u64::from(row[i] == row[j]);
            }
        }
    }
    let (n_items, raters) = (items as f64, m as f64);
    let pairs = raters * (raters - 1.0);
    // Fleiss.
    let p_bar = agreeing as f64 / pairs / n_items;
    let p_e: f64 = totals
        .iter()
        .map(|&c| (c as f64 / (n_items * raters)).powi(2))
        .sum();
    let fleiss = (p_bar - p_e) / (1.0 - p_e);
    // Krippendorff: observed disagreeing coincidences over expected ones.
    if m < 2 {
        return (fleiss, f64::NAN);
    }
    let observed = (n_items * pairs - agreeing as f64) / (raters - 1.0);
    let n = n_items * raters;
    let squares: f64 = totals.iter().map(|&c| (c as f64).powi(2)).sum();
    let expected = (n * n - squares) / (n - 1.0);
    (fleiss, 1.0 - observed / expected)
}
