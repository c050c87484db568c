//! HTML pages reduced to their main text (the article, without navigation,
//! headers and footers) with `dom_smoothie`, a port of Mozilla's Readability.

use crate::{ErrorKind, ReadError};

/// Pages with more elements than this are refused rather than parsed for
/// minutes (the main-text search is superlinear in the element count).
const MAX_ELEMENTS: usize = 100_000;

/// The page's main text, paragraphs separated by blank lines.
pub fn main_text(html: &str) -> Result<String, ReadError> {
    let config = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        max_elements_to_parse: MAX_ELEMENTS,
        ..Default::default()
    };
    let mut readability =
        dom_smoothie::Readability::new(html, None, Some(config)).map_err(|e| ReadError::new(ErrorKind::Html, e.to_string()))?;
    let article = readability.parse().map_err(|e| match e {
        dom_smoothie::ReadabilityError::GrabFailed => ReadError::new(ErrorKind::Html, "no main text found in the page"),
        other => ReadError::new(ErrorKind::Html, other.to_string()),
    })?;
    let text = article.text_content.trim();
    if text.is_empty() {
        return Err(ReadError::new(ErrorKind::Html, "no main text found in the page"));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_article_and_drops_the_navigation() {
        let para = "The committee said on Friday that the investigation of the election had produced no evidence of any irregularities, and it praised the city for the manner in which the vote was conducted. ";
        let html = format!(
            "<html><head><title>News</title><script>var x = 1;</script></head><body>\
             <nav><a href='/'>Home</a> <a href='/about'>About us</a></nav>\
             <article><h1>Election</h1><p>{}</p><p>{}</p></article>\
             <footer>Copyright 2024 Example Corp. All rights reserved.</footer></body></html>",
            para.repeat(3),
            para.repeat(2)
        );
        let text = main_text(&html).unwrap();
        assert!(text.contains("no evidence of any irregularities"), "{text}");
        assert!(!text.contains("var x"), "{text}");
        assert!(!text.contains("About us"), "{text}");
        assert!(!text.contains("<p>"), "{text}");
    }

    #[test]
    fn an_empty_page_is_an_html_error() {
        let e = main_text("<html><body></body></html>").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Html);
    }
}
