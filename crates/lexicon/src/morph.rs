//! English inflection, so that a spun form finds an original in the same form.

use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    Base,
    Plural,
    ThirdPerson,
    /// Past tense and past participle.
    Past,
    Gerund,
    Comparative,
    Superlative,
}

impl Form {
    pub fn code(self) -> &'static str {
        match self {
            Form::Base => "base",
            Form::Plural => "pl",
            Form::ThirdPerson => "3sg",
            Form::Past => "past",
            Form::Gerund => "ing",
            Form::Comparative => "cmp",
            Form::Superlative => "sup",
        }
    }

    pub fn from_code(s: &str) -> Option<Form> {
        Some(match s {
            "base" => Form::Base,
            "pl" => Form::Plural,
            "3sg" => Form::ThirdPerson,
            "past" => Form::Past,
            "ing" => Form::Gerund,
            "cmp" => Form::Comparative,
            "sup" => Form::Superlative,
            _ => return None,
        })
    }
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Consonant-vowel-consonant endings of short words double their last
/// consonant: "stop" -> "stopped".
fn doubles(w: &str) -> bool {
    let b = w.as_bytes();
    let n = b.len();
    n >= 3
        && n <= 5
        && !is_vowel(b[n - 1])
        && !matches!(b[n - 1], b'w' | b'x' | b'y')
        && is_vowel(b[n - 2])
        && !is_vowel(b[n - 3])
}

/// Possible (lemma, form) analyses of a word by rule and by the irregular list.
/// Lemmas are not checked against any dictionary here; the caller looks them up.
pub fn lemmas(word: &str, irregular: &HashMap<String, Vec<(String, Form)>>) -> Vec<(String, Form)> {
    let mut out = vec![(word.to_string(), Form::Base)];
    if let Some(v) = irregular.get(word) {
        out.extend(v.iter().cloned());
    }
    let w = word;
    let n = w.len();
    if n < 4 || !w.is_ascii() {
        return out;
    }
    let stem = |k: usize| w[..n - k].to_string();
    if let Some(s) = w.strip_suffix("ies") {
        out.push((format!("{s}y"), Form::Plural));
        out.push((format!("{s}y"), Form::ThirdPerson));
    } else if w.ends_with("es") {
        out.push((stem(2), Form::Plural));
        out.push((stem(2), Form::ThirdPerson));
        out.push((stem(1), Form::Plural));
        out.push((stem(1), Form::ThirdPerson));
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        out.push((stem(1), Form::Plural));
        out.push((stem(1), Form::ThirdPerson));
    }
    if let Some(s) = w.strip_suffix("ied") {
        out.push((format!("{s}y"), Form::Past));
    } else if let Some(s) = w.strip_suffix("ed") {
        out.push((s.to_string(), Form::Past));
        out.push((format!("{s}e"), Form::Past));
        let b = s.as_bytes();
        if b.len() >= 2 && b[b.len() - 1] == b[b.len() - 2] {
            out.push((s[..s.len() - 1].to_string(), Form::Past));
        }
    }
    if let Some(s) = w.strip_suffix("ing") {
        if s.len() >= 2 {
            out.push((s.to_string(), Form::Gerund));
            out.push((format!("{s}e"), Form::Gerund));
            let b = s.as_bytes();
            if b[b.len() - 1] == b[b.len() - 2] {
                out.push((s[..s.len() - 1].to_string(), Form::Gerund));
            }
            if let Some(t) = s.strip_suffix('y') {
                out.push((format!("{t}ie"), Form::Gerund));
            }
        }
    }
    if let Some(s) = w.strip_suffix("iest") {
        out.push((format!("{s}y"), Form::Superlative));
    } else if let Some(s) = w.strip_suffix("est") {
        out.push((s.to_string(), Form::Superlative));
        out.push((format!("{s}e"), Form::Superlative));
    }
    if let Some(s) = w.strip_suffix("ier") {
        out.push((format!("{s}y"), Form::Comparative));
    } else if let Some(s) = w.strip_suffix("er") {
        out.push((s.to_string(), Form::Comparative));
        out.push((format!("{s}e"), Form::Comparative));
    }
    out
}

/// Inflection of one word: every irregular form the exception list gives
/// (an irregular verb's past is both "took" and "taken"), else the regular one.
pub fn inflect_word(w: &str, form: Form, irregular: &HashMap<(String, Form), Vec<String>>) -> Vec<String> {
    if form == Form::Base {
        return vec![w.to_string()];
    }
    if let Some(forms) = irregular.get(&(w.to_string(), form)) {
        return forms.clone();
    }
    vec![regular_form(w, form)]
}

/// The regular inflection of one word.
fn regular_form(w: &str, form: Form) -> String {
    let b = w.as_bytes();
    let last = b.last().copied().unwrap_or(b'x');
    let before_last_vowel = b.len() >= 2 && is_vowel(b[b.len() - 2]);
    match form {
        Form::Base => w.to_string(),
        Form::Plural | Form::ThirdPerson => {
            if w.ends_with('s') || w.ends_with('x') || w.ends_with('z') || w.ends_with("ch") || w.ends_with("sh") {
                format!("{w}es")
            } else if last == b'y' && !before_last_vowel {
                format!("{}ies", &w[..w.len() - 1])
            } else {
                format!("{w}s")
            }
        }
        Form::Past => {
            if last == b'e' {
                format!("{w}d")
            } else if last == b'y' && !before_last_vowel {
                format!("{}ied", &w[..w.len() - 1])
            } else if doubles(w) {
                format!("{w}{}ed", last as char)
            } else {
                format!("{w}ed")
            }
        }
        Form::Gerund => {
            if let Some(s) = w.strip_suffix("ie") {
                format!("{s}ying")
            } else if last == b'e' && !w.ends_with("ee") && w.len() > 2 {
                format!("{}ing", &w[..w.len() - 1])
            } else if doubles(w) {
                format!("{w}{}ing", last as char)
            } else {
                format!("{w}ing")
            }
        }
        Form::Comparative | Form::Superlative => {
            let suf = if form == Form::Comparative { "er" } else { "est" };
            if last == b'e' {
                format!("{w}{}", &suf[1..])
            } else if last == b'y' && !before_last_vowel {
                format!("{}i{suf}", &w[..w.len() - 1])
            } else if doubles(w) {
                format!("{w}{}{suf}", last as char)
            } else {
                format!("{w}{suf}")
            }
        }
    }
}

/// Inflects a phrase: nouns and adjectives on the last word, verbs on the
/// first. Comparatives of long adjectives use "more"/"most".
/// An irregular verb's past is every form the exception list gives for it:
/// the simple past and the participle ("took", "taken"; "was", "were",
/// "been"), since a spun "-ed" word can stand for either.
pub fn inflect_phrase(phrase: &str, form: Form, irregular: &HashMap<(String, Form), Vec<String>>) -> Vec<String> {
    if form == Form::Base {
        return vec![phrase.to_string()];
    }
    let words: Vec<&str> = phrase.split(' ').collect();
    let head = match form {
        Form::Past | Form::Gerund | Form::ThirdPerson => 0,
        _ => words.len() - 1,
    };
    if matches!(form, Form::Comparative | Form::Superlative) && (words.len() > 1 || phrase.len() > 7) {
        if !irregular.contains_key(&(phrase.to_string(), form)) {
            let adverb = if form == Form::Comparative { "more" } else { "most" };
            return vec![format!("{adverb} {phrase}")];
        }
    }
    inflect_word(words[head], form, irregular)
        .into_iter()
        .map(|h| {
            let mut w: Vec<String> = words.iter().map(|s| s.to_string()).collect();
            w[head] = h;
            w.join(" ")
        })
        .collect()
}
