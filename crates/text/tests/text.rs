use proptest::prelude::*;
use unspin_text::*;

fn texts(s: &str) -> Vec<&str> {
    tokenize(s).iter().map(|t| &s[t.start..t.end]).collect()
}

#[test]
fn words_keep_apostrophes_hyphens_and_abbreviations() {
    let s = "The U.S. long-term plan, Dr. Smith’s “don't” e.g. O’Brien — ok.";
    assert_eq!(
        texts(s),
        vec!["The", "U.S.", "long-term", "plan", ",", "Dr.", "Smith’s", "“", "don't", "”", "e.g.", "O’Brien", "—", "ok", "."]
    );
    let toks = tokenize(s);
    assert_eq!(toks[1].kind, TokenKind::Abbreviation);
    assert_eq!(toks[5].kind, TokenKind::Abbreviation);
    assert_eq!(toks[7].kind, TokenKind::Punct);
}

#[test]
fn links_are_found_where_a_run_of_characters_starts() {
    let kinds = |s: &str| tokenize(s).iter().map(|t| (s[t.start..t.end].to_string(), t.kind)).collect::<Vec<_>>();
    let symbol = |s: &str, link: &str| kinds(s).contains(&(link.to_string(), TokenKind::Symbol));
    assert!(symbol("see (https://example.org/x) now", "https://example.org/x"));
    assert!(symbol("\"www.example.org\"", "www.example.org"));
    assert!(symbol("write to <a.b@example.com>", "a.b@example.com"));
    // Inside a run, after other characters, no link is looked for: a long
    // run would otherwise be read once per token.
    assert!(!symbol("mailto:a.b@example.com", "a.b@example.com"));
    let run = "ab+".repeat(10_000);
    assert_eq!(tokenize(&run).len(), 20_000);
}

#[test]
fn numbers_urls_and_emails() {
    let s = "Paid $1,200.50 on 3rd May 1990, 5% more: see https://example.org/a?b=c. Mail a.b@example.com";
    let t = texts(s);
    assert!(t.contains(&"1,200.50") && t.contains(&"3rd") && t.contains(&"5%") && t.contains(&"1990"));
    assert!(t.contains(&"https://example.org/a?b=c"));
    assert!(t.contains(&"a.b@example.com"));
    let toks = tokenize(s);
    let n = |x: &str| lm_words(s, toks.iter().find(|t| &s[t.start..t.end] == x).unwrap());
    assert_eq!(n("3rd"), vec!["third"]);
    assert_eq!(n("1990"), vec!["nineteen", "ninety"]);
    assert_eq!(n("5%"), vec!["five", "percent"]);
    assert_eq!(n("1,200.50"), vec!["one", "thousand", "two", "hundred", "point", "five", "zero"]);
    assert!(lm_words(s, toks.iter().find(|t| t.kind == TokenKind::Symbol && s[t.start..].starts_with("https")).unwrap()).is_empty());
}

#[test]
fn sentences_respect_abbreviations_numbers_quotes_and_paragraphs() {
    let s = "Dr. Smith left the U.S. on Monday. He paid 3.5 dollars. \"Why?\" she asked.\n\nNew paragraph without stop\nNext";
    let toks = tokenize(s);
    let sents: Vec<String> = sentences(s, &toks)
        .into_iter()
        .map(|r| s[toks[r.start].start..toks[r.end - 1].end].to_string())
        .collect();
    assert_eq!(
        sents,
        vec![
            "Dr. Smith left the U.S. on Monday.",
            "He paid 3.5 dollars.",
            "\"Why?\"",
            "she asked.",
            "New paragraph without stop\nNext"
        ]
    );
}

#[test]
fn case_and_articles() {
    assert_eq!(apply_case("united states", "Joined Together States"), "United States");
    assert_eq!(apply_case("breast cancer", "BOSOM PERIL"), "BREAST CANCER");
    assert_eq!(apply_case("artificial intelligence", "Counterfeit consciousness"), "Artificial intelligence");
    assert_eq!(apply_case("failure", "disappointment"), "failure");
    assert_eq!(indefinite_article("apple"), "an");
    assert_eq!(indefinite_article("hour"), "an");
    assert_eq!(indefinite_article("university"), "a");
    assert_eq!(indefinite_article("MBA"), "an");
    assert_eq!(indefinite_article("one-off"), "a");
    assert_eq!(indefinite_article("8"), "an");
    assert_eq!(indefinite_article("big"), "a");
    assert_eq!(case_shape("iPhone"), CaseShape::Mixed);
}

proptest! {
    #[test]
    fn offsets_round_trip_on_arbitrary_unicode(s in "\\PC*|[a-zA-Z .,'’\\-0-9\n]*") {
        let toks = tokenize(&s);
        let mut at = 0;
        for t in &toks {
            prop_assert!(t.start >= at && t.end > t.start && t.end <= s.len());
            prop_assert!(s.is_char_boundary(t.start) && s.is_char_boundary(t.end));
            prop_assert!(s[at..t.start].chars().all(char::is_whitespace));
            at = t.end;
        }
        prop_assert!(s[at..].chars().all(char::is_whitespace));
        let sents = sentences(&s, &toks);
        let mut next = 0;
        for r in &sents { prop_assert_eq!(r.start, next); prop_assert!(r.end > r.start); next = r.end; }
        prop_assert_eq!(next, toks.len());
        for t in &toks { let _ = lm_words(&s, t); }
    }
}

#[test]
fn blocks_end_at_paragraphs_then_lines_then_sentences_then_words() {
    fn cuts(text: &str, max: usize) -> Vec<&str> {
        blocks(text, max).into_iter().map(|r| &text[r]).collect()
    }
    // A paragraph break in the second half wins over the later line break.
    let text = "First paragraph here.\n\nSecond one\nruns on a while.";
    assert_eq!(cuts(text, 40), vec!["First paragraph here.\n\n", "Second one\nruns on a while."]);
    // Without one, the last line break; then the last sentence end; then a space.
    assert_eq!(cuts("Some words here\nmore words and more", 24), vec!["Some words here\n", "more words and more"]);
    assert_eq!(cuts("One sentence. Two sentence words", 24), vec!["One sentence. ", "Two sentence words"]);
    assert_eq!(cuts("aaaa bbbb cccc dddd", 12), vec!["aaaa bbbb ", "cccc dddd"]);
    // A break in the first half would make a block needlessly small: a
    // space later on is preferred to it.
    assert_eq!(cuts("a\n\nbbbbbbbbb cc dd", 14), vec!["a\n\nbbbbbbbbb ", "cc dd"]);
    // One enormous word is cut at a character boundary.
    assert_eq!(cuts("ééééé", 5), vec!["éé", "éé", "é"]);
    // A text that fits is one block; the empty text is one empty block.
    assert_eq!(cuts("short", 100), vec!["short"]);
    assert_eq!(blocks("", 100), vec![0..0]);
}

proptest! {
    #[test]
    fn blocks_cover_the_text_in_order_on_character_boundaries(s in "\\PC*|[a-z .\n]*", max in 1usize..40) {
        let ranges = blocks(&s, max);
        let mut next = 0;
        for r in &ranges {
            prop_assert_eq!(r.start, next);
            prop_assert!(r.end > r.start || s.is_empty());
            prop_assert!(r.end - r.start <= max.max(4));
            prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
            next = r.end;
        }
        prop_assert_eq!(next, s.len());
    }
}

proptest! {
    /// Any string reads as a page without a panic, and every part of its
    /// text either maps to bytes of the page on character boundaries or
    /// to none; text with no "<" or "&" is its own text.
    #[test]
    fn page_text_maps_back_inside_the_page(s in "([a-z ]|<p>|</p>|<b>|</b>|&amp;|&rsquo;|&#233;|<!--x-->|<script>a</script>|<|&|\\PC)*") {
        let view = markup::HtmlText::new(&s);
        let bounds: Vec<usize> = (0..=view.text.len()).filter(|&i| view.text.is_char_boundary(i)).collect();
        for (k, &a) in bounds.iter().enumerate() {
            for &b in bounds[k + 1..].iter().take(6) {
                if let Some(r) = view.source_range(a..b) {
                    prop_assert!(r.start < r.end && r.end <= s.len());
                    prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
                }
            }
        }
        if !s.contains(['<', '&']) {
            prop_assert_eq!(&view.text, &s);
            if !s.is_empty() {
                prop_assert_eq!(view.source_range(0..s.len()), Some(0..s.len()));
            }
        }
    }
}
