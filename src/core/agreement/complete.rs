//! The coefficients of [`super::coefficients`] for complete data — every coder coded every
//! item — counted from how often each row of values occurs: a row is one item's values, one
//! per coder, and `map` turns a stored value into one of `k` categories. A corpus's hundreds of
//! thousands of tokens come down to a few hundred distinct rows, so every label's figures are
//! counted from the same rows, document by document. Counting, no hashing on the figures'
//! path; the same figures (the tests compare with the general definitions).

/// How often each row of values occurs: `(row, count)`.
pub type Rows<'a> = [(&'a [u32], u64)];

/// Cohen's kappa of coders `first` and `second`.
#[allow(clippy::cast_precision_loss)]
pub fn cohen_kappa(rows: &Rows, first: usize, second: usize, map: &[u32], k: usize) -> f64 {
    let mut pa = vec![0u64; k];
    let mut pb = vec![0u64; k];
    let (mut same, mut items) = (0u64, 0u64);
    for &(row, count) in rows {
        let (v, w) = (map[row[first] as usize], map[row[second] as usize]);
        pa[v as usize] += count;
        pb[w as usize] += count;
        same += count * u64::from(v == w);
        items += count;
    }
    let n = items as f64;
    let observed = same as f64 / n;
    let expected: f64 = pa
        .iter()
        .zip(&pb)
        .map(|(&x, &y)| (x as f64 / n) * (y as f64 / n))
        .sum();
    (observed - expected) / (1.0 - expected)
}

/// Fleiss' kappa and Krippendorff's alpha (nominal) of `coders` coders.
///
/// Per item, only the number of agreeing ordered pairs of coders matters: Fleiss' `P_i` is
/// that over `m(m − 1)`, and the item adds `m(m − 1) − agreeing` pairs over `m − 1` to alpha's
/// observed coincidences; the category totals give both expected terms.
#[allow(clippy::cast_precision_loss)]
pub fn fleiss_and_alpha(rows: &Rows, coders: usize, map: &[u32], k: usize) -> (f64, f64) {
    let m = coders;
    let mut totals = vec![0u64; k];
    let (mut agreeing, mut items) = (0u64, 0u64);
    let mut mapped = vec![0u32; m];
    for &(row, count) in rows {
        for (c, &v) in row.iter().enumerate() {
            let v = map[v as usize];
            mapped[c] = v;
            totals[v as usize] += count;
        }
        let mut same = 0u64;
        for i in 0..m {
            for j in i + 1..m {
                same += 2 * u64::from(mapped[i] == mapped[j]);
            }
        }
        agreeing += same * count;
        items += count;
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
