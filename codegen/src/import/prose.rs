//! Vendor descriptions as short plain text. The API definition writes its descriptions in
//! HTML (`<p>Start time</p><p>Parameter format: …</p>`, `<ul><li>…</li></ul>`); the spec
//! keeps one line of plain text from them, so a cut at a length limit can never leave a tag
//! open, and the emitters only have to make plain text safe for rustdoc.

/// At most this many characters of a description reach the spec: facts, not prose.
const MAX_CHARS: usize = 160;

/// The first line of a vendor description as plain text, cut at a word boundary after
/// [`MAX_CHARS`] characters (marked with `…`); `None` when there is no text.
pub(crate) fn one_line(text: &str) -> Option<String> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let plain = html_to_text(&super::unescape_quotes(first));
    if plain.is_empty() {
        return None;
    }
    if plain.chars().count() <= MAX_CHARS {
        return Some(plain);
    }
    let cut: String = plain.chars().take(MAX_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    Some(format!("{}…", cut.trim_end()))
}

/// How a piece of flattened HTML begins: what separates it from the piece before.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// A paragraph, heading or line break.
    Block,
    /// A list item.
    Item,
}

/// The HTML tags vendor descriptions use; anything else in angle brackets (a placeholder
/// such as `<TOTAL_AMOUNT>`, a comparison) is text and stays.
fn tag(inner: &str) -> Option<(Option<Piece>, bool)> {
    let closing = inner.starts_with('/');
    let name: String = inner
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let rest = &inner.trim_start_matches('/')[name.len()..];
    if !(rest.is_empty() || rest.starts_with([' ', '/'])) {
        return None;
    }
    let piece = match name.as_str() {
        "li" => Some(Piece::Item),
        "p" | "br" | "div" | "ul" | "ol" | "tr" | "table" | "h1" | "h2" | "h3" | "h4" | "h5"
        | "h6" | "pre" => Some(Piece::Block),
        "b" | "i" | "strong" | "em" | "code" | "span" | "a" | "font" | "sup" | "sub" | "u"
        | "td" | "th" | "tbody" | "thead" => None,
        _ => return None,
    };
    Some((piece, closing))
}

/// The text of `html`: tags dropped, the common entities decoded, whitespace collapsed, and
/// blocks and list items joined into one line (`A. B: x; y`).
pub(crate) fn html_to_text(html: &str) -> String {
    // Split into pieces at block and item tags, keeping each piece's kind.
    let mut pieces: Vec<(Piece, String)> = vec![(Piece::Block, String::new())];
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let (text, from_tag) = rest.split_at(open);
        pieces.last_mut().expect("never empty").1.push_str(text);
        let parsed = from_tag[1..]
            .find('>')
            .and_then(|end| Some((tag(&from_tag[1..1 + end])?, end)));
        match parsed {
            Some(((piece, closing), end)) => {
                if let Some(piece) = piece {
                    // A closing tag ends a piece; what follows is a paragraph's text.
                    let kind = if closing { Piece::Block } else { piece };
                    pieces.push((kind, String::new()));
                }
                rest = &from_tag[end + 2..];
            }
            None => {
                pieces.last_mut().expect("never empty").1.push('<');
                rest = &from_tag[1..];
            }
        }
    }
    pieces.last_mut().expect("never empty").1.push_str(rest);

    let mut out = String::new();
    let mut last: Option<Piece> = None;
    for (kind, raw) in pieces {
        let text = collapse_whitespace(&decode_entities(&raw));
        if text.is_empty() {
            continue;
        }
        if let Some(previous) = last {
            let separator = if out.ends_with(':') || out.ends_with(['.', '!', '?', ';', ',']) {
                " "
            } else if previous == Piece::Item && kind == Piece::Item {
                "; "
            } else {
                ". "
            };
            out.push_str(separator);
        }
        out.push_str(&text);
        last = Some(kind);
    }
    out
}

fn decode_entities(text: &str) -> String {
    const ENTITIES: [(&str, &str); 7] = [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        ("&nbsp;", " "),
        // Last, so `&amp;lt;` stays the text `&lt;`.
        ("&amp;", "&"),
    ];
    ENTITIES
        .iter()
        .fold(text.to_owned(), |acc, (entity, plain)| {
            acc.replace(entity, plain)
        })
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_lists_become_one_line() {
        assert_eq!(
            html_to_text(
                "<p>Transaction type</p><p>Enumeration values:</p><ul><li>prepay_purchase: Purchase</li><li>prepay_renew:  Renewal</li></ul>"
            ),
            "Transaction type. Enumeration values: prepay_purchase: Purchase; prepay_renew: Renewal"
        );
        assert_eq!(
            html_to_text("<p>Original total price<br>Original Cost = Price * Usage</p>"),
            "Original total price. Original Cost = Price * Usage"
        );
    }

    #[test]
    fn placeholders_comparisons_and_entities_stay_text() {
        assert_eq!(html_to_text("<TOTAL_AMOUNT>."), "<TOTAL_AMOUNT>.");
        assert_eq!(html_to_text("a < b and c > d"), "a < b and c > d");
        assert_eq!(html_to_text("list<string>"), "list<string>");
        assert_eq!(html_to_text("x &lt;p&gt; &amp;lt;"), "x <p> &lt;");
        assert_eq!(
            html_to_text("<b>bold</b> and <a href=\"x\">link</a>"),
            "bold and link"
        );
        // An unclosed bracket at the end is text.
        assert_eq!(html_to_text("ends with <p"), "ends with <p");
    }

    #[test]
    fn a_cut_never_leaves_a_tag_open() {
        let long = format!("<p>Start time</p><p>{}</p>", "word ".repeat(60));
        let short = one_line(&long).unwrap();
        assert!(short.starts_with("Start time. word word"), "{short}");
        assert!(short.ends_with('…') && short.chars().count() <= MAX_CHARS + 1);
        assert!(!short.contains('<'), "{short}");
    }

    #[test]
    fn first_line_unescaped_and_empty_is_none() {
        assert_eq!(
            one_line("Invite link status.\n1: Unused.").as_deref(),
            Some("Invite link status.")
        );
        assert_eq!(one_line(r#"The \"ID\"."#).as_deref(), Some("The \"ID\"."));
        assert_eq!(one_line("  \n "), None);
        assert_eq!(one_line("<p></p>"), None);
    }
}
