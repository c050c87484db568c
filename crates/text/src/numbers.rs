//! Numbers as the language model knows them: spelled out.

const ONES: [&str; 20] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
];
const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const ORDINAL_ONES: [&str; 20] = [
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
    "nineteenth",
];

fn below_thousand(n: u64, out: &mut Vec<String>) {
    let (h, r) = (n / 100, n % 100);
    if h > 0 {
        out.push(ONES[h as usize].into());
        out.push("hundred".into());
    }
    if r >= 20 {
        out.push(TENS[(r / 10) as usize].into());
        if r % 10 > 0 {
            out.push(ONES[(r % 10) as usize].into());
        }
    } else if r > 0 || h == 0 {
        out.push(ONES[r as usize].into());
    }
}

/// Cardinal words for `n` ("one thousand two hundred").
pub fn spell_number(n: u64) -> Vec<String> {
    let mut out = Vec::new();
    if n == 0 {
        return vec!["zero".into()];
    }
    let scales = [(1_000_000_000_000, "trillion"), (1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand")];
    let mut rest = n;
    for (size, name) in scales {
        if rest >= size {
            below_thousand((rest / size) % 1000, &mut out);
            out.push(name.into());
            rest %= size;
        }
    }
    if rest > 0 {
        below_thousand(rest, &mut out);
    }
    out
}

fn ordinal(words: &mut [String]) {
    if let Some(last) = words.last_mut() {
        let w = last.as_str();
        *last = if let Some(i) = super::numbers::ONES.iter().position(|o| *o == w) {
            ORDINAL_ONES[i].to_string()
        } else if let Some(t) = w.strip_suffix('y') {
            format!("{t}ieth")
        } else {
            format!("{w}th")
        };
    }
}

pub(crate) fn number_words(s: &str) -> Vec<String> {
    let lower = s.to_ascii_lowercase();
    let (body, percent) = match lower.strip_suffix('%') {
        Some(b) => (b, true),
        None => (lower.as_str(), false),
    };
    let (body, is_ordinal) = match ["st", "nd", "rd", "th"].iter().find_map(|s| body.strip_suffix(s)) {
        Some(b) => (b, true),
        None => (body, false),
    };
    let (int_part, frac) = match body.rsplit_once('.') {
        Some((i, f)) if f.len() != 3 || !i.contains(',') => (i, Some(f)),
        _ => (body, None),
    };
    let digits: String = int_part.chars().filter(|c| c.is_ascii_digit()).collect();
    let mut out = match digits.parse::<u64>() {
        // Four-digit numbers without separators read as years: "nineteen ninety".
        Ok(n) if (1100..2100).contains(&n) && digits.len() == 4 && !int_part.contains(',') && frac.is_none() && !percent => {
            let (hi, lo) = (n / 100, n % 100);
            let mut v = spell_number(hi);
            if lo == 0 {
                if n % 1000 == 0 {
                    v = spell_number(n);
                } else {
                    v.push("hundred".into());
                }
            } else if lo < 10 {
                v.push("oh".into());
                v.extend(spell_number(lo));
            } else {
                v.extend(spell_number(lo));
            }
            v
        }
        Ok(n) => spell_number(n),
        Err(_) => digits.chars().map(|c| ONES[c.to_digit(10).unwrap_or(0) as usize].to_string()).collect(),
    };
    if is_ordinal {
        ordinal(&mut out);
    }
    if let Some(f) = frac {
        out.push("point".into());
        out.extend(f.chars().filter_map(|c| c.to_digit(10)).map(|d| ONES[d as usize].to_string()));
    }
    if percent {
        out.push("percent".into());
    }
    out
}
