//! Pure figures over arrival times and latency samples: what `bench fleet` prints.
//!
//! Arrival times are nanoseconds since the Unix epoch, sorted ascending; a window is
//! half-open, `[t, t + window)`.

/// The most arrivals in any one window of `window_ns` (a sliding window: its start may be
/// anywhere, so this is the strict count a vendor's per-second limiter could see).
pub fn busiest_window(arrivals: &[u64], window_ns: u64) -> usize {
    let mut busiest = 0;
    let mut first = 0;
    for (last, &at) in arrivals.iter().enumerate() {
        while at - arrivals[first] >= window_ns {
            first += 1;
        }
        busiest = busiest.max(last + 1 - first);
    }
    busiest
}

/// The arrivals that a strict sliding-window limiter of `limit` per `window_ns` would
/// refuse: each arrival that finds `limit` others already within the window before it
/// (counting every arrival as admitted, as our judge does).
pub fn over_sliding(arrivals: &[u64], limit: usize, window_ns: u64) -> usize {
    if limit == 0 {
        return arrivals.len();
    }
    arrivals
        .iter()
        .enumerate()
        .skip(limit)
        .filter(|&(i, &at)| at - arrivals[i - limit] < window_ns)
        .count()
}

/// Fixed windows aligned on multiples of `window_ns` since the epoch (the way a counter
/// per clock second counts): how many windows saw any arrival, and how many saw more than
/// `limit`.
pub fn over_fixed(arrivals: &[u64], limit: usize, window_ns: u64) -> (usize, usize) {
    let (mut windows, mut over) = (0, 0);
    let mut start = 0;
    while start < arrivals.len() {
        let bucket = arrivals[start] / window_ns;
        let end = start + arrivals[start..].partition_point(|&at| at / window_ns == bucket);
        windows += 1;
        if end - start > limit {
            over += 1;
        }
        start = end;
    }
    (windows, over)
}

/// Arrivals per second from the first to the last: `(n - 1) / span` (n starts need n - 1
/// gaps); `None` under two arrivals or with no time between them.
pub fn average_rate(arrivals: &[u64]) -> Option<f64> {
    let (first, last) = (*arrivals.first()?, *arrivals.last()?);
    (last > first).then(|| (arrivals.len() - 1) as f64 / ((last - first) as f64 / 1e9))
}

/// The nearest-rank percentile `p` (0 < p <= 100) of sorted samples: the smallest sample
/// with at least p% of the samples at or below it.
pub fn percentile<T: Copy>(sorted: &[T], p: f64) -> Option<T> {
    if sorted.is_empty() || !(p > 0.0 && p <= 100.0) {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;
    const MS: u64 = 1_000_000;

    #[test]
    fn busiest_window_slides_across_second_boundaries() {
        // 3 arrivals late in second 0 and 3 early in second 1: fixed seconds see 3 each,
        // a sliding window sees 6 within 200 ms.
        let arrivals = [
            900 * MS,
            950 * MS,
            990 * MS,
            S + 10 * MS,
            S + 50 * MS,
            S + 90 * MS,
        ];
        assert_eq!(busiest_window(&arrivals, S), 6);
        assert_eq!(over_fixed(&arrivals, 3, S), (2, 0));
        assert_eq!(over_sliding(&arrivals, 3, S), 3);
    }

    #[test]
    fn windows_are_half_open() {
        // Exactly one second apart: never in the same window.
        let arrivals = [0, S, 2 * S];
        assert_eq!(busiest_window(&arrivals, S), 1);
        assert_eq!(over_sliding(&arrivals, 1, S), 0);
        let arrivals = [0, S - 1];
        assert_eq!(busiest_window(&arrivals, S), 2);
        assert_eq!(over_sliding(&arrivals, 1, S), 1);
    }

    #[test]
    fn an_even_pace_at_the_limit_is_never_over() {
        // 5 per second, 201 ms apart, for 10 s.
        let arrivals: Vec<u64> = (0..50).map(|i| 3 * S + i * 201 * MS).collect();
        assert_eq!(busiest_window(&arrivals, S), 5);
        assert_eq!(over_sliding(&arrivals, 5, S), 0);
        let (windows, over) = over_fixed(&arrivals, 5, S);
        assert_eq!((windows, over), (10, 0));
        let rate = average_rate(&arrivals).unwrap();
        assert!((rate - 1e3 / 201.0).abs() < 1e-9, "{rate}");
        // Twice as fast: half the arrivals after the fifth are over.
        let double: Vec<u64> = (0..50).map(|i| i * 100 * MS + MS).collect();
        assert_eq!(busiest_window(&double, S), 10);
        assert_eq!(over_sliding(&double, 5, S), 45);
        assert_eq!(over_fixed(&double, 5, S), (5, 5));
    }

    #[test]
    fn empty_and_degenerate_input() {
        assert_eq!(busiest_window(&[], S), 0);
        assert_eq!(over_sliding(&[], 5, S), 0);
        assert_eq!(over_fixed(&[], 5, S), (0, 0));
        assert_eq!(average_rate(&[]), None);
        assert_eq!(average_rate(&[7]), None);
        assert_eq!(average_rate(&[7, 7]), None);
        assert_eq!(over_sliding(&[1, 2], 0, S), 2);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&samples, 50.0), Some(50));
        assert_eq!(percentile(&samples, 99.0), Some(99));
        assert_eq!(percentile(&samples, 100.0), Some(100));
        assert_eq!(percentile(&samples, 0.1), Some(1));
        assert_eq!(percentile(&[4, 9], 50.0), Some(4));
        assert_eq!(percentile(&[4, 9], 99.0), Some(9));
        assert_eq!(percentile::<u32>(&[], 50.0), None);
        assert_eq!(percentile(&samples, 0.0), None);
        assert_eq!(percentile(&samples, f64::NAN), None);
    }
}
