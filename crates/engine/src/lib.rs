//! The unspin engine: finds spun phrases and proposes their originals.
//!
//! ```no_run
//! let model = unspin_engine::Model::locate(None).unwrap();
//! let engine = unspin_engine::Engine::new(model, unspin_engine::Config::default());
//! let report = engine.check("The Joined Together States is a nation.");
//! println!("{}", unspin_engine::apply("The Joined Together States is a nation.", &report.findings));
//! ```

pub mod candidates;
pub mod clauses;
pub mod confidence;
mod detect;
pub mod document;
pub mod fingerprints;
pub mod numbers;
pub mod model;

use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use confidence::ConfidenceModel;
pub use document::DocumentReading;
pub use fingerprints::{Fingerprint, FingerprintError, Fingerprints};
pub use model::{Model, ModelError};

/// Where a finding comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The statistical model (lexicon + language model).
    Model,
    /// A known fingerprint list passed with `--fingerprints`.
    Fingerprint,
}

/// One suspicious phrase. `start`/`end` are byte offsets into the checked text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub suggestion: String,
    pub confidence: f64,
    pub source: Source,
    /// Other originals the phrase may have had, likeliest first, when asked
    /// for (`Config::alternatives`); absent from JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
}

/// The result of checking one document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// 0..1: how likely the document is spun.
    pub score: f64,
    pub spun: bool,
    pub findings: Vec<Finding>,
}

/// What a document is (`--format`, a request's `"format"`): plain text, an
/// HTML page (read as [`Engine::check_html_at`] reads one), or either, told
/// apart by [`unspin_text::markup::looks_like_html`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Auto,
    Text,
    Html,
}

impl Format {
    /// The names [`Format::parse`] takes.
    pub const NAMES: [&'static str; 3] = ["auto", "text", "html"];

    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "auto" => Some(Format::Auto),
            "text" => Some(Format::Text),
            "html" => Some(Format::Html),
            _ => None,
        }
    }

    /// Whether `document`, of this format, is an HTML page.
    pub fn is_html(self, document: &str) -> bool {
        match self {
            Format::Auto => unspin_text::markup::looks_like_html(document),
            Format::Text => false,
            Format::Html => true,
        }
    }
}

/// [`apply`] for an HTML page and the findings of
/// [`Engine::check_html_at`]: each suggestion is written for HTML ("&" as
/// "&amp;").
fn apply_html(html: &str, findings: &[Finding]) -> String {
    let written: Vec<Finding> =
        findings.iter().map(|f| Finding { suggestion: unspin_text::markup::escape_html(&f.suggestion), ..f.clone() }).collect();
    apply(html, &written)
}

/// Replaces each finding's span with its suggestion; every other byte is kept.
/// Findings must not overlap; they are applied in order of `start`.
pub fn apply(text: &str, findings: &[Finding]) -> String {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| f.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in sorted {
        if f.start < at || f.end > text.len() || !text.is_char_boundary(f.start) || !text.is_char_boundary(f.end) {
            continue;
        }
        out.push_str(&text[at..f.start]);
        out.push_str(&f.suggestion);
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

/// What kind of spinning the confidence model is fitted to find. The news
/// spinner's swaps of everyday prose and the tortured phrases of scientific
/// papers compete for one budget of false alarms on clean prose: a model
/// fitted on both finds fewer of either than one fitted on one of them.
/// Held out on the development split, at the same rate of clean false
/// alarms (`fit_confidence`): `Web` finds about 1.25 times the swaps of
/// `General` and a seventh of its tortured phrases; `Papers` about 1.4
/// times its tortured phrases in a sentence (0.160 against 0.113; 0.175
/// against 0.130 thorough) and inside a document (0.116 and 0.146 against
/// 0.092 and 0.108), and a tenth of its swaps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Both: spun prose and tortured phrases (the default).
    #[default]
    General,
    /// Spun prose (web articles passed through an article spinner): on
    /// held-out development documents it finds about 1.25 times the swaps
    /// `General` finds at the same rate of false alarms, and few tortured
    /// phrases.
    Web,
    /// Tortured phrases (scientific manuscripts): fitted on clean prose and
    /// the tortured phrases alone, under the bold prior of a swap
    /// (`spin_prior_log10` +1) in both settings, which lets the decoding
    /// propose the technical terms that gain little in a sentence.
    Papers,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::General, Profile::Web, Profile::Papers];

    pub fn name(self) -> &'static str {
        match self {
            Profile::General => "general",
            Profile::Web => "web",
            Profile::Papers => "papers",
        }
    }

    pub fn parse(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The shift of log-odds a finding's confidence takes in a document
    /// called spun: held-out development restorations in documents called
    /// spun are that much likelier right than the trees say (maximum
    /// likelihood; `fit_confidence` prints it). The general trees,
    /// which learn from tortured phrases too, are overconfident there
    /// instead (-0.63, -0.22); lowering them would lose swaps, so they
    /// keep their confidences.
    pub fn spun_shift(self, thorough: bool) -> f64 {
        match (self, thorough) {
            (Profile::General | Profile::Papers, _) => 0.0,
            (Profile::Web, false) => 0.199,
            (Profile::Web, true) => 0.247,
        }
    }

    /// The shipped document trees (see [`document`]) and the threshold of
    /// long texts, read like `shipped`'s on the raised held-out confidences
    /// of whole clean documents; None where none are shipped.
    pub fn document(self, thorough: bool) -> Option<DocumentReading> {
        let (_, short_threshold) = self.shipped(thorough);
        let (trees, long_threshold) = match (self, thorough) {
            (Profile::General, false) => (ConfidenceModel::document_model(false), 0.804),
            (Profile::General, true) => (ConfidenceModel::document_model(true), 0.788),
            (Profile::Web | Profile::Papers, _) => return None,
        };
        Some(DocumentReading { trees, long_threshold, short_threshold, both_ways: false })
    }

    /// The document trees' reading of a document the default suspect rule
    /// found spun enough for a thorough second look ([`Config::escalate_at`]):
    /// the thorough setting's trees, read both ways, as they were fitted,
    /// and the threshold of long texts read by the same rule on those
    /// confidences. A document that looks spun has no lone tortured phrase
    /// in quiet prose to lose, so its restorations may be lowered as well as
    /// raised: held out on development, 0.0817 of the swaps instead of
    /// 0.0624 read only upwards.
    pub fn escalated_document(self) -> Option<DocumentReading> {
        let (_, short_threshold) = self.shipped(true);
        match self {
            Profile::General => Some(DocumentReading {
                trees: ConfidenceModel::document_model(true),
                long_threshold: 0.695,
                short_threshold,
                both_ways: true,
            }),
            Profile::Web | Profile::Papers => None,
        }
    }

    /// The prior of a swap (`Config::spin_prior_log10`) the profile's
    /// trees were fitted under. Under the thorough rule every word with
    /// candidates is a suspect, and a bolder prior lets the decoding
    /// propose the restorations whose language-model gain falls a little
    /// short of their channel cost ("mentioned" for "said", "final" for
    /// "last"), for the trees to judge. Held out on development, at the
    /// shipped rule, +1 against -0.25 found swaps 0.0612 -> 0.0624 at a
    /// precision of 0.859 instead of 0.841, tortured phrases in carriers
    /// 0.101 -> 0.130 and inside documents 0.088 -> 0.108, and in documents
    /// escalated to the thorough look 0.0731 -> 0.0814 of the swaps at a
    /// precision of 0.839 instead of 0.820. Bolder priors (1.25, 1.5) found
    /// more again but at a lower precision than -0.25's, and on the test
    /// split 1.5 made more paragraphs worse; 2 and 3 found less. It costs
    /// time: thorough checking of news runs about a quarter slower. Under
    /// the default rule a bold prior found more tortured phrases (0.113 ->
    /// 0.151 at +1) but fewer swaps (0.0349 -> 0.0306), and sent fewer spun
    /// documents to the thorough look, so the default keeps -0.25. So does
    /// the web profile: its thorough trees refitted under +1 found 0.0633
    /// of the swaps against 0.0616, at the same precision (0.888), within
    /// what refitting alone moves.
    pub fn spin_prior_log10(self, thorough: bool) -> f32 {
        match (self, thorough) {
            (Profile::General, true) | (Profile::Papers, _) => 1.0,
            _ => -0.25,
        }
    }

    /// The shipped confidence model and its threshold, read on held-out
    /// development prose as the lowest at which every genre, whole and a
    /// sentence at a time, stays at or under 0.9 findings per 1,000 words
    /// (`fit_confidence`: the fold models set the threshold, and the model
    /// shipped is fitted alike on all the development rows).
    pub fn shipped(self, thorough: bool) -> (Arc<ConfidenceModel>, f64) {
        match (self, thorough) {
            (Profile::General, false) => (ConfidenceModel::default_model(), 0.794),
            (Profile::General, true) => (ConfidenceModel::thorough_model(), 0.780),
            (Profile::Web, false) => (ConfidenceModel::web_model(false), 0.685),
            (Profile::Web, true) => (ConfidenceModel::web_model(true), 0.755),
            (Profile::Papers, false) => (ConfidenceModel::papers_model(false), 0.884),
            (Profile::Papers, true) => (ConfidenceModel::papers_model(true), 0.872),
        }
    }
}

/// Tuning knobs. The defaults are calibrated on the development split of the
/// evaluation (clean and spun Brown documents); see EVALUATION.md.
#[derive(Clone, Debug)]
pub struct Config {
    /// Findings below this confidence (0..1) are not reported (`--threshold`).
    pub min_confidence: f64,
    /// The least confidence of a finding the document score counts: the
    /// profile's calibrated threshold, whatever threshold findings are
    /// reported from. The score weighs a text's findings against clean
    /// prose's rate at this threshold (`doc_clean_rate`); counting the
    /// findings of a lower requested threshold called half the clean test
    /// documents spun at 0.5 (EVALUATION.md, section 8), and those of a
    /// higher one would call fewer spun texts spun. So `--threshold`
    /// changes what is shown, never the score or the verdict.
    pub counted_confidence: f64,
    /// Log-odds added to every model confidence of a look before the
    /// threshold reads it: 0, except in the thorough second look at a
    /// document (`escalate_at`), whose confidences it moves onto the first
    /// look's scale, so that the thorough rule's calibrated threshold
    /// (0.780) falls on the default's (0.794). A confidence then means
    /// the same in every report, and no finding shows under the threshold
    /// asked for.
    pub scale_shift: f64,
    /// What the confidence model and the threshold are fitted to find
    /// (`--profile`); set it with [`Config::for_profile`] or `set`, which
    /// also set the model and threshold.
    pub profile: Profile,
    /// log10 of the prior probability that a given phrase was swapped: what
    /// a restoration must gain in context before the decoding makes it.
    /// The confidence model, not this prior, decides what is reported; a
    /// mild prior lets it see more restorations. Cross-validated on the
    /// development split at the same false-alarm rate, -0.25 found as many
    /// swaps as -1.5 and 1.75 times the tortured phrases. Each profile and
    /// suspect rule has its own ([`Profile::spin_prior_log10`]), which
    /// choosing them sets.
    pub spin_prior_log10: f32,
    /// The model that turns a restoration's evidence into its confidence
    /// (see [`confidence`]); by default the one fitted on the development
    /// split and shipped with the engine.
    pub confidence_model: Arc<ConfidenceModel>,
    /// How much of the candidate's advantage in plain word frequency is
    /// discounted (0: none, 1: judge by association with the context only).
    /// A language model prefers frequent words everywhere; without this it
    /// "restores" every rare word to a common synonym.
    pub frequency_discount: f32,
    /// On how many sides (0, 1 or 2) a word must form a pair the language
    /// model never saw before it is a suspect at all (0: every word with
    /// candidates is one; `--thorough`).
    pub abnormal_sides: usize,
    /// The same for a phrase of several words. A spinner writes a whole
    /// phrase for one word ("joined together" for "united"); the phrase is
    /// fluent inside and at one edge, so one unseen edge can be all the
    /// evidence there is. Held out on the development split, 1 (with
    /// `one_side_phrase_candidates` 16 and `one_side_phrase_rarity` -2.5)
    /// finds a fifth more swaps than 2 at the same rate of false alarms (an
    /// eighth more with `--thorough`, a quarter more with `--profile web`).
    pub phrase_sides: usize,
    /// Also suspect a phrase with one unseen edge when it shares that edge
    /// with a suspect (a run of swaps). Off by default: on the development
    /// split it found a few more tortured phrases at the cost of more false
    /// alarms on clean prose and half the speed.
    pub neighbours: bool,
    /// Candidate originals scored per phrase: of the lexicon's best 200 by
    /// channel, the likeliest by channel times the phrase's own probability
    /// (the posterior before context). On the development split 64 finds as
    /// many swaps at the same false-alarm rate as all 200, at a third of the
    /// cost. 128 found 8% more tortured phrases (0.116 -> 0.125 at 0.75
    /// clean findings per 1,000 words) and no more swaps, but checks a
    /// third slower: the candidate table holds 64 a word, and the rest are
    /// computed.
    pub max_lexicon_candidates: usize,
    /// Of those, how many a word or phrase with only one unseen side is
    /// scored against (it is a suspect at all only with `abnormal_sides`
    /// or `phrase_sides` below 2, or `neighbours`).
    pub one_side_candidates: usize,
    /// The same for a phrase of several words with one unseen side.
    pub one_side_phrase_candidates: usize,
    /// A phrase of several words with one unseen side is a suspect only
    /// when the words at both its ends are rarer than this (log10 unigram
    /// probability; 0: always). Phrases bounded by common words ("on the",
    /// "more than", "the city") are many, nearly always the author's, and
    /// would cost a fifth of the checking time.
    pub one_side_phrase_rarity: f32,
    /// A single word with one unseen side is a suspect too when it is
    /// rarer than this (log10 unigram probability; 0: never), scored
    /// against `one_side_candidates` originals. Held out on the
    /// development split at 0.75 clean findings per 1,000 words, -4.5 with
    /// 16 candidates finds an eighth more swaps (0.0308 -> 0.0347) but
    /// checks news a quarter slower (5.3 -> 3.9 MB/s); -5, 8% more at a
    /// sixth slower; -5.5, none. Scoring only such a word's candidates
    /// that mend its unseen edge (a seen pair with that neighbour) keeps
    /// most of the gain (0.0336) but not the speed (a fifth slower): half
    /// of these words then have nothing to score, and the cost is in
    /// judging those that do. So it is off by default.
    pub one_side_word_rarity: f32,
    /// The same for a word or phrase with no unseen side (a suspect at all
    /// only with `abnormal_sides` or `phrase_sides` 0, as under
    /// `--thorough`). Held out on the development split, 8 found nearly as
    /// many swaps as 64 at 1.6 times the speed.
    pub no_side_candidates: usize,
    /// Document score at or above which a document is called spun.
    pub doc_threshold: f64,
    /// A document the default suspect rule scores at or above this is
    /// checked again under `--thorough` (its suspect rule and model, its
    /// confidences moved onto this setting's scale by `scale_shift` and
    /// read at the same threshold; in a text of 300 words
    /// or more its document trees read both ways,
    /// [`Profile::escalated_document`]), and that report stands. Text that
    /// looks spun gets the slower, more thorough look; clean prose rarely
    /// pays for it. Above 1: never. When thorough already, only the
    /// document trees' reading changes.
    pub escalate_at: f64,
    /// In a document called spun, the model findings' confidences are
    /// shifted by this much (log-odds) and the findings read again at the
    /// same threshold: a spun document makes every suspect likelier a swap
    /// (see [`Profile::spun_shift`]).
    pub spun_shift: f64,
    /// The document trees that may raise a long text's confidences, with
    /// the threshold of long texts (see [`document`]); the profile's.
    pub document: Option<DocumentReading>,
    /// Confidence mass of findings per 1,000 words of clean prose (see
    /// [`document_score`]): at the default threshold, held-out development
    /// prose shows 0.60 overall (0.52 at `--thorough`; 0.59 and 0.54 with
    /// `--profile web`) and 0.76 (0.77; 0.71, 0.76) in its worst genre,
    /// whole or a sentence at a time; 0.75 is about the worst genre's, and
    /// no clean test document is called spun in any setting.
    pub doc_clean_rate: f64,
    /// With a [`Verifier`]: the lowest statistical confidence at which a
    /// finding is handed to it (the verifier may raise it past the threshold);
    /// findings below it keep their statistical confidence.
    pub verify_floor: f64,
    /// With a [`Verifier`]: weights of the logistic model over
    /// [`verified_features`] that gives a verified finding its confidence.
    pub verifier_weights: [f32; VERIFIER_FEATURES],
    /// A text longer than this many bytes is checked a block at a time
    /// (blocks of at most this size, cut at paragraph breaks where it has
    /// them; see [`unspin_text::blocks`]), a block a thread at once, so
    /// that checking a file of any size takes memory for a block a thread
    /// (about twenty times its size) and the text itself. What a document teaches about its own words (pairs
    /// it repeats, its document trees, the second look at a text that
    /// looks spun, the `AND` terms of fingerprints) then reaches within a
    /// block; the score is read over all the findings and words, and a
    /// text with a block that is spun is spun. Four MiB holds any article
    /// or paper whole.
    pub block_bytes: usize,
    /// Beam width of the joint decoding of a cluster.
    pub beam: usize,
    /// Candidate originals kept per phrase after local scoring.
    pub max_candidates: usize,
    /// Also propose, for the commonest words, the words the language model
    /// finds distributed alike (function words: "these"/"those",
    /// "could"/"would"), which no thesaurus lists.
    pub function_words: bool,
    /// How far below break-even (log10) a candidate may score locally and
    /// still enter joint decoding, where a neighbour's restoration can lift
    /// it. Under the mild prior, 0 finds as much as 2 at less cost.
    pub candidate_slack: f32,
    /// How many other originals a model finding lists besides its
    /// suggestion (`Finding::alternatives`; 0: none). Only findings the
    /// sentence gives a confidence of 0.1 or more list them (read at a
    /// threshold under 0.1, the others come without).
    pub alternatives: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            min_confidence: Profile::General.shipped(false).1,
            counted_confidence: Profile::General.shipped(false).1,
            scale_shift: 0.0,
            profile: Profile::General,
            spin_prior_log10: Profile::General.spin_prior_log10(false),
            confidence_model: ConfidenceModel::default_model(),
            frequency_discount: 0.0,
            max_lexicon_candidates: 64,
            one_side_candidates: 64,
            one_side_phrase_candidates: 16,
            one_side_phrase_rarity: -2.5,
            one_side_word_rarity: 0.0,
            no_side_candidates: 8,
            abnormal_sides: 2,
            phrase_sides: 1,
            neighbours: false,
            doc_threshold: 0.99,
            spun_shift: Profile::General.spun_shift(false),
            escalate_at: 0.9,
            document: Profile::General.document(false),
            doc_clean_rate: 0.75,
            verify_floor: 0.2,
            verifier_weights: DEFAULT_VERIFIER_WEIGHTS,
            block_bytes: 4 << 20,
            beam: 12,
            max_candidates: 8,
            function_words: false,
            candidate_slack: 0.0,
            alternatives: 0,
        }
    }
}

impl Config {
    /// The thorough setting (`--thorough`): every word with candidate
    /// originals is a suspect, not only one that forms pairs the language
    /// model never saw on both sides (one that does on neither side is
    /// scored against its `no_side_candidates` likeliest originals), with
    /// its own confidence model and threshold (fitted and read alike, on the
    /// development split). On held-out development documents, with every
    /// genre under 0.9 findings per 1,000 clean words, it finds about 1.6
    /// times the swaps the default finds and nine tenths of its tortured
    /// phrases; checking takes about four times as long.
    pub fn thorough() -> Config {
        let mut config = Config::default();
        config.make_thorough();
        config
    }

    /// The settings of a profile, default or thorough, with its shipped
    /// model and threshold.
    pub fn for_profile(profile: Profile, thorough: bool) -> Config {
        let mut config = Config::default();
        if thorough {
            config.abnormal_sides = 0;
        }
        config.use_profile(profile);
        config
    }

    /// Whether these settings are thorough (a word is a suspect without
    /// an unseen side).
    pub fn is_thorough(&self) -> bool {
        self.abnormal_sides == 0
    }

    /// Turns these settings thorough (see [`Config::thorough`]), whatever
    /// else they say.
    fn make_thorough(&mut self) {
        self.abnormal_sides = 0;
        self.use_profile(self.profile);
    }

    /// Takes the profile's shipped model and threshold for the suspect rule
    /// in force.
    fn use_profile(&mut self, profile: Profile) {
        self.profile = profile;
        (self.confidence_model, self.min_confidence) = profile.shipped(self.is_thorough());
        self.counted_confidence = self.min_confidence;
        self.spun_shift = profile.spun_shift(self.is_thorough());
        self.spin_prior_log10 = profile.spin_prior_log10(self.is_thorough());
        self.document = profile.document(self.is_thorough());
    }

    /// Sets one knob from `NAME=VALUE`, the form `unspin eval --set` and the
    /// evaluation examples take; the error names the assignment.
    pub fn set_assignment(&mut self, assignment: &str) -> Result<(), String> {
        let (name, value) = assignment.split_once('=').ok_or_else(|| format!("{assignment}: expected NAME=VALUE"))?;
        self.set(name, value).map_err(|e| format!("{assignment}: {e}"))
    }

    /// Sets one knob by name, as `unspin eval --set name=value` does.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let f = || value.parse::<f64>().map_err(|_| format!("{name}: {value:?} is not a number"));
        match name {
            "min_confidence" => self.min_confidence = f()?,
            "counted_confidence" => self.counted_confidence = f()?,
            "spin_prior_log10" => self.spin_prior_log10 = f()? as f32,
            "thorough" => {
                if f()? != 0.0 {
                    self.make_thorough();
                }
            }
            "profile" => {
                let profile = Profile::parse(value).ok_or_else(|| format!("unknown profile {value:?} (general, web or papers)"))?;
                self.use_profile(profile)
            }
            "confidence_model" => {
                let model = ConfidenceModel::open(std::path::Path::new(value))?;
                if model.features > Evidence::FEATURES {
                    return Err(format!("{value}: the model reads {} features, the engine has {}", model.features, Evidence::FEATURES));
                }
                self.confidence_model = Arc::new(model)
            }
            // Document trees fitted for another model, read at the
            // current threshold for short texts and `long_threshold`
            // (default: the same) for long ones; "none" for none.
            "document_model" if value == "none" => self.document = None,
            "document_model" => {
                let model = ConfidenceModel::open(std::path::Path::new(value))?;
                if model.features > document::FEATURES {
                    return Err(format!("{value}: the model reads {} features, document trees have {}", model.features, document::FEATURES));
                }
                let short_threshold = self.min_confidence;
                self.document = Some(DocumentReading { trees: Arc::new(model), long_threshold: short_threshold, short_threshold, both_ways: false });
            }
            "long_threshold" => match &mut self.document {
                Some(d) => d.long_threshold = f()?,
                None => return Err("long_threshold: no document trees (set document_model first)".to_string()),
            },
            "frequency_discount" => self.frequency_discount = f()? as f32,
            "verify_floor" => self.verify_floor = f()?,
            _ if name.starts_with("v") && name[1..].parse::<usize>().is_ok_and(|i| i < VERIFIER_FEATURES) => {
                self.verifier_weights[name[1..].parse::<usize>().unwrap()] = f()? as f32
            }
            "doc_threshold" => self.doc_threshold = f()?,
            "spun_shift" => self.spun_shift = f()?,

            "escalate_at" => self.escalate_at = f()?,
            "doc_clean_rate" => self.doc_clean_rate = f()?,
            "beam" => self.beam = f()? as usize,
            "block_bytes" => self.block_bytes = f()? as usize,
            "abnormal_sides" => self.abnormal_sides = f()? as usize,
            "one_side_candidates" => self.one_side_candidates = f()? as usize,
            "one_side_phrase_candidates" => self.one_side_phrase_candidates = f()? as usize,
            "one_side_phrase_rarity" => self.one_side_phrase_rarity = f()? as f32,
            "one_side_word_rarity" => self.one_side_word_rarity = f()? as f32,
            "no_side_candidates" => self.no_side_candidates = f()? as usize,
            "phrase_sides" => self.phrase_sides = f()? as usize,
            "neighbours" => self.neighbours = f()? != 0.0,
            "max_candidates" => self.max_candidates = f()? as usize,
            "function_words" => self.function_words = f()? != 0.0,
            "alternatives" => self.alternatives = f()? as usize,
            "max_lexicon_candidates" => self.max_lexicon_candidates = f()? as usize,
            "candidate_slack" => self.candidate_slack = f()? as f32,
            _ => return Err(format!("unknown setting {name:?}")),
        }
        Ok(())
    }
}

/// What a model finding's confidence is computed from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// log10 gain in sentence probability under the language model when the
    /// suggestion replaces the written phrase (joint decoding, with context).
    pub lm_gain: f32,
    /// log10 P(written | original): how plausible the swap is.
    pub channel: f32,
    /// Edges (0..2) at which the written phrase forms a pair the language
    /// model never saw.
    pub present_unseen: u8,
    /// The same for the suggestion in the written phrase's place.
    pub restored_unseen: u8,
    /// log10 unigram probability of the rarest written word.
    pub present_log10_freq: f32,
    /// log10 unigram probability of the rarest suggested word.
    pub restored_log10_freq: f32,
    /// Words in the written phrase.
    pub words: u8,
    /// Words in the suggestion.
    pub restored_words: u8,
    /// log10 of how much better the written phrase (and the two words after
    /// it) fits its context than its plain frequency predicts.
    pub present_fit: f32,
    /// The same for the suggestion.
    pub restored_fit: f32,
    /// Share (0..1) of the phrase's candidate originals that the language
    /// model prefers to it in its place: an author's own word usually fits
    /// better than most of its synonyms, a spinner's substitute worse.
    pub beaten_by: f32,
    /// How many trigrams ending on the written phrase or on the two words
    /// after it the language model holds.
    #[serde(default)]
    pub present_trigrams: u8,
    /// The same with the suggestion in its place.
    #[serde(default)]
    pub restored_trigrams: u8,
    /// The phrase opens its sentence.
    #[serde(default)]
    pub sentence_start: bool,
    /// The written phrase starts with a capital letter.
    #[serde(default)]
    pub capitalized: bool,
    /// How many candidate originals the phrase has.
    #[serde(default)]
    pub candidates: u16,
    /// The phrase follows "a"/"an" that does not suit it.
    #[serde(default)]
    pub article_mismatch: bool,
    /// Edges (0..2) at which the written phrase forms a pair the text holds
    /// elsewhere too.
    #[serde(default)]
    pub present_echo: u8,
    /// Edges (0..2) at which the suggestion in the written phrase's place
    /// forms a pair the text holds elsewhere: a spinner leaves the original
    /// standing in other places.
    #[serde(default)]
    pub restored_echo: u8,
}

impl Evidence {
    pub const FEATURES: usize = 21;
    /// The first features, read from the sentence alone. The trees that
    /// read the rest (the echoes) are gated by [`Evidence::ECHO_GATE`]:
    /// they add nothing to a restoration without an echo, so a text of a
    /// sentence, where nothing echoes, is judged by the sentence's features
    /// alone (see `unspin_eval::boost::fit_gated`).
    pub const SENTENCE_FEATURES: usize = 18;
    /// The feature that is positive when either echo is.
    pub const ECHO_GATE: usize = 20;

    /// The confidence model's inputs: a constant 1 (a bias for linear models), then the evidence.
    pub fn features(&self) -> [f32; Evidence::FEATURES] {
        [
            1.0,
            self.lm_gain,
            self.channel,
            self.present_unseen as f32,
            self.restored_unseen as f32,
            self.present_log10_freq,
            self.restored_log10_freq,
            (self.words > 1) as u8 as f32,
            self.restored_words as f32 - self.words as f32,
            self.present_fit,
            self.restored_fit,
            self.beaten_by,
            self.present_trigrams as f32,
            self.restored_trigrams as f32,
            self.sentence_start as u8 as f32,
            self.capitalized as u8 as f32,
            self.candidates as f32,
            self.article_mismatch as u8 as f32,
            self.present_echo as f32,
            self.restored_echo as f32,
            (self.present_echo + self.restored_echo) as f32,
        ]
    }

    /// Probability (0..1) that the written phrase is a swap of the suggestion.
    pub fn confidence(&self, model: &ConfidenceModel) -> f64 {
        model.probability(&self.features())
    }
}

/// A model finding with the evidence behind it (see [`Engine::explain`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explained {
    pub finding: Finding,
    pub evidence: Evidence,
}

/// The detector and restorer. Cheap to share between threads (`&Engine` is
/// all a worker needs).
pub struct Engine {
    /// Shared: engines of different settings over one model (the default
    /// and the thorough one of `unspin eval`) map its files once.
    model: Arc<Model>,
    verifier: Option<Arc<dyn Verifier>>,
    /// Depends on the lexicon and `max_lexicon_candidates` only.
    cache: detect::CandidateCache,
    substitutes: std::sync::OnceLock<detect::Substitutes>,
    fingerprints: Option<Fingerprints>,
    config: Config,
    /// The thorough settings a document that looks spun is checked again
    /// with (see `Config::escalate_at`).
    escalation: Option<Config>,
}

/// What every look at a text starts from, whatever the settings: its
/// tokens, sentences and words, the findings of the rules (numbers,
/// clauses) and the fingerprint matches. Made once per text, however many
/// looks it gets.
struct Prepared {
    tokens: Vec<Token>,
    sentences: Vec<Range<usize>>,
    words: usize,
    by_rule: Vec<Finding>,
    fingerprinted: Option<Vec<Finding>>,
}

impl Prepared {
    fn new(text: &str, fingerprints: Option<&Fingerprints>) -> Prepared {
        let tokens = unspin_text::tokenize(text);
        let sentences = unspin_text::sentences(text, &tokens);
        let words = tokens.iter().filter(|t| t.kind == TokenKind::Word).count();
        let mut by_rule = numbers::number_findings(text, &tokens);
        by_rule.extend(clauses::clause_evidence(text, &tokens).into_iter().map(|(f, _)| f));
        let fingerprinted = fingerprints.map(|fp| fp.find(text));
        Prepared { tokens, sentences, words, by_rule, fingerprinted }
    }
}

/// The settings of a second look at a document `config` finds spun enough
/// (`escalate_at`): thorough, with the document trees read both ways
/// ([`Profile::escalated_document`]). Already thorough, only the reading
/// changes, and without document trees there is then nothing to change;
/// None also when it never looks twice.
fn escalation_of(config: &Config) -> Option<Config> {
    if config.escalate_at > 1.0 {
        return None;
    }
    let document = config.document.as_ref().and_then(|_| config.profile.escalated_document());
    if config.is_thorough() && document.is_none() {
        return None;
    }
    let mut second = config.clone();
    second.make_thorough();
    second.document = document;
    let logit = |p: f64| (p / (1.0 - p)).ln();
    second.scale_shift = logit(config.counted_confidence) - logit(second.counted_confidence);
    second.counted_confidence = config.counted_confidence;
    Some(second)
}

impl Engine {
    pub fn new(model: impl Into<Arc<Model>>, config: Config) -> Engine {
        let escalation = escalation_of(&config);
        Engine { model: model.into(), verifier: None, cache: Default::default(), substitutes: Default::default(), fingerprints: None, config, escalation }
    }

    /// Adds a known-fingerprint list; its matches are reported with
    /// `source: "fingerprint"` and take precedence over model findings.
    pub fn with_fingerprints(mut self, fingerprints: Fingerprints) -> Engine {
        self.fingerprints = Some(fingerprints);
        self
    }

    /// Adds a second opinion on every model finding the detector is at
    /// least `verify_floor` sure of; its confidence then comes from
    /// `verifier_weights` (see [`Verifier`]).
    pub fn with_verifier(mut self, verifier: Arc<dyn Verifier>) -> Engine {
        self.verifier = Some(verifier);
        self
    }

    pub fn verifier(&self) -> Option<&Arc<dyn Verifier>> {
        self.verifier.as_ref()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn set_config(&mut self, config: Config) {
        if config.max_lexicon_candidates != self.config.max_lexicon_candidates || config.function_words != self.config.function_words {
            self.cache = Default::default();
        }
        self.escalation = escalation_of(&config);
        self.config = config;
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    fn detector(&self) -> detect::Detector<'_> {
        self.detector_with(&self.config)
    }

    fn detector_with<'a>(&'a self, config: &'a Config) -> detect::Detector<'a> {
        let substitutes = config.function_words.then(|| {
            self.substitutes.get_or_init(|| detect::Substitutes::new(&self.model.lm.find_substitutes(&Default::default())))
        });
        detect::Detector {
            lm: &self.model.lm,
            lexicon: &self.model.lexicon,
            config,
            cache: &self.cache,
            table: self.model.candidates.as_ref(),
            substitutes,
        }
    }

    /// Finds spun phrases in `text`.
    pub fn check(&self, text: &str) -> Report {
        self.check_at(text, self.config.min_confidence)
    }

    /// Finds spun phrases in `text`, reporting findings of confidence at
    /// least `threshold` (in place of `min_confidence`).
    pub fn check_at(&self, text: &str, threshold: f64) -> Report {
        if text.len() <= self.config.block_bytes {
            return self.check_block(text, threshold).0;
        }
        use rayon::prelude::*;
        let mut findings = Vec::new();
        let (mut words, mut mass, mut block_score, mut block_spun) = (0, 0.0, 0.0f64, false);
        let ranges = unspin_text::blocks(text, self.config.block_bytes);
        // As many blocks at a time as there are threads, so that memory
        // holds that many blocks' work; each block's report is the same
        // whichever thread checks it, and they are added up in order.
        let at_a_time = rayon::current_num_threads().max(1);
        let reports = ranges.chunks(at_a_time).flat_map(|group| {
            let checked: Vec<_> = group.par_iter().map(|range| self.check_block(&text[range.clone()], threshold)).collect();
            group.iter().cloned().zip(checked).collect::<Vec<_>>()
        });
        for (range, (report, block_words, block_mass)) in reports {
            words += block_words;
            mass += block_mass;
            block_score = block_score.max(report.score);
            block_spun |= report.spun;
            findings.extend(report.findings.into_iter().map(|f| Finding { start: f.start + range.start, end: f.end + range.start, ..f }));
        }
        let score = score_of_mass(mass, words, self.config.doc_clean_rate).max(block_score);
        Report { score, spun: block_spun || score >= self.config.doc_threshold, findings }
    }

    /// [`Engine::check_at`] on a text checked whole, with its word count
    /// and the confidence mass its score counts.
    fn check_block(&self, text: &str, threshold: f64) -> (Report, usize, f64) {
        let prepared = Prepared::new(text, self.fingerprints.as_ref());
        let first = self.check_with(&self.config, text, &prepared, threshold);
        let (report, mass) = match &self.escalation {
            // Its confidences are on this look's scale (`scale_shift`).
            Some(second) if first.0.score >= self.config.escalate_at => self.check_with(second, text, &prepared, threshold),
            _ => first,
        };
        (report, prepared.words, mass)
    }

    /// One look at `text` (`prepared` from it) under `config`: the report
    /// at `threshold`, and the confidence mass its score counts (of the
    /// findings at `config.counted_confidence`).
    fn check_with(&self, config: &Config, text: &str, prepared: &Prepared, threshold: f64) -> (Report, f64) {
        let Prepared { tokens, sentences, words, by_rule, fingerprinted } = prepared;
        let detector = self.detector_with(config);
        let detected = detector.detect(text, tokens, sentences);
        let mut model = document::read(config.document.as_ref(), text, detected);
        if config.scale_shift != 0.0 {
            for f in &mut model {
                f.confidence = shift_log_odds(f.confidence, config.scale_shift);
            }
        }
        if let Some(v) = &self.verifier {
            // Findings below the floor keep their statistical confidence
            // (they matter only to a threshold below the floor).
            let floor = config.verify_floor;
            let judged: Vec<usize> = (0..model.len()).filter(|&i| model[i].confidence >= floor).collect();
            let picked: Vec<Finding> = judged.iter().map(|&i| model[i].clone()).collect();
            let gains = verifier_gains(v.as_ref(), text, tokens, sentences, &picked);
            for (i, gain) in judged.into_iter().zip(gains) {
                if let Some(gain) = gain {
                    model[i].confidence = verified_confidence(model[i].confidence, gain, &config.verifier_weights);
                }
            }
        }
        let select = |model: &[Finding], threshold: f64| -> Vec<Finding> {
            let mut findings: Vec<Finding> = model.iter().filter(|f| f.confidence >= threshold).cloned().collect();
            // Where a rule and the model read one place, the rule's reading
            // stands, however sure the model is: both say the place was
            // swapped, but the rule knows the construction it restores (a
            // "nevertheless" joining clauses after a comma was a "but"),
            // where the model's suggestion is only the thesaurus candidate
            // the trigrams like best ("when").
            for n in by_rule.iter().filter(|n| n.confidence >= threshold) {
                findings.retain(|f| !(f.start < n.end && n.start < f.end));
                findings.push(n.clone());
            }
            repair_articles(text, tokens, &mut findings);
            if let Some(fp) = fingerprinted {
                findings = merge(fp.clone(), findings);
            }
            findings.sort_by_key(|f| f.start);
            findings
        };
        let report = |model: &[Finding]| -> (Report, f64) {
            let findings = select(model, threshold);
            let mass = match threshold == config.counted_confidence {
                true => findings.iter().map(|f| f.confidence).sum(),
                false => select(model, config.counted_confidence).iter().map(|f| f.confidence).sum(),
            };
            let score = score_of_mass(mass, *words, config.doc_clean_rate);
            (Report { score, spun: score >= config.doc_threshold, findings }, mass)
        };
        let first = report(&model);
        if !first.0.spun || config.spun_shift == 0.0 {
            return first;
        }
        // A document called spun: every suspect in it is likelier a swap.
        for f in &mut model {
            f.confidence = shift_log_odds(f.confidence, config.spun_shift);
        }
        let (mut again, mass) = report(&model);
        again.spun = true;
        again.score = again.score.max(first.0.score);
        (again, mass.max(first.1))
    }

    /// Every restoration the model considered worth deciding on, whatever
    /// its confidence, with the evidence behind it (no fingerprints, no
    /// threshold, no article repair). For calibration and for curious users.
    pub fn explain(&self, text: &str) -> Vec<Explained> {
        let tokens = unspin_text::tokenize(text);
        let sentences = unspin_text::sentences(text, &tokens);
        let detector = self.detector();
        detector.detect(text, &tokens, &sentences).into_iter().map(|(finding, evidence)| Explained { finding, evidence }).collect()
    }

    /// The verifier's gain for each finding of `text` (None without a
    /// verifier, or where it cannot judge). For calibration.
    pub fn verifier_gains(&self, text: &str, findings: &[Finding]) -> Vec<Option<f32>> {
        let Some(v) = &self.verifier else { return vec![None; findings.len()] };
        let tokens = unspin_text::tokenize(text);
        let sentences = unspin_text::sentences(text, &tokens);
        verifier_gains(v.as_ref(), text, &tokens, &sentences, findings)
    }

    /// The text with every finding replaced by its suggestion, and the report.
    pub fn restore(&self, text: &str) -> (String, Report) {
        let report = self.check(text);
        (apply(text, &report.findings), report)
    }

    /// Checks the text a reader sees in an HTML page
    /// ([`unspin_text::markup::HtmlText`]: no tags, scripts or styles,
    /// character references decoded, block tags as paragraph breaks) and
    /// reports each finding at its bytes in the page, `text` as the page
    /// writes it. A finding whose words markup splits ("<b>Joined</b>
    /// Together") has no one place in the page to be restored to and is
    /// left out; the score is the text's.
    pub fn check_html_at(&self, html: &str, threshold: f64) -> Report {
        let view = unspin_text::markup::HtmlText::new(html);
        let report = self.check_at(&view.text, threshold);
        let findings = report
            .findings
            .into_iter()
            .filter_map(|f| {
                let at = view.source_range(f.start..f.end)?;
                Some(Finding { start: at.start, end: at.end, text: html[at].to_string(), ..f })
            })
            .collect();
        Report { findings, ..report }
    }

    /// [`Engine::check_at`] on a document of `format`: an HTML page is
    /// read as [`Engine::check_html_at`] reads one.
    pub fn check_document(&self, document: &str, format: Format, threshold: f64) -> Report {
        if format.is_html(document) {
            self.check_html_at(document, threshold)
        } else {
            self.check_at(document, threshold)
        }
    }

    /// The document with every finding of [`Engine::check_document`]
    /// replaced by its suggestion (in an HTML page written for HTML, every
    /// tag, attribute and script unchanged), and the report.
    pub fn restore_document(&self, document: &str, format: Format, threshold: f64) -> (String, Report) {
        // Told apart once, for the check and the writing alike.
        let html = format.is_html(document);
        let report = self.check_document(document, if html { Format::Html } else { Format::Text }, threshold);
        let restored = if html { apply_html(document, &report.findings) } else { apply(document, &report.findings) };
        (restored, report)
    }
}

use unspin_text::{Token, TokenKind};

/// A second opinion on restorations, e.g. a neural language model
/// (`unspin-neural`). The engine stays free of its dependencies.
pub trait Verifier: Send + Sync {
    /// For each replacement of `sentence[span]`: how much more likely
    /// (natural log) the sentence is with the replacement than as written.
    /// None when the verifier cannot judge the sentence.
    fn gains(&self, sentence: &str, span: Range<usize>, replacements: &[&str]) -> Option<Vec<f32>>;
}

/// Inputs of the verified confidence: a bias, the statistical confidence
/// as a logit, and the verifier's gain.
pub const VERIFIER_FEATURES: usize = 3;

/// Fitted on the development split by `UNSPIN_FOLD_MODELS=DIR cargo run
/// --release -p unspin-neural --features candle --example fit_verifier --
/// 15 80`; never on the test split. (Development: 45 clean Brown documents,
/// their copies spun at 10% and 30%, 80 July tortured phrases in the
/// carrier sentences, each scored by the fold model of the confidence trees
/// that never saw it and read in its document by the document trees; the
/// bias then set so that the default threshold keeps the clean development
/// prose of every genre under 0.9 findings per 1,000 words; docs/NEURAL.md.)
pub const DEFAULT_VERIFIER_WEIGHTS: [f32; VERIFIER_FEATURES] = [-1.0697, 1.1006, 0.1570];

pub fn verified_features(statistical: f64, gain: f32) -> [f32; VERIFIER_FEATURES] {
    let c = statistical.clamp(1e-4, 1.0 - 1e-4);
    [1.0, (c / (1.0 - c)).ln() as f32, gain]
}

/// `p` with its log-odds moved by `shift`.
pub fn shift_log_odds(p: f64, shift: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 {
        return p;
    }
    1.0 / (1.0 + (-((p / (1.0 - p)).ln() + shift)).exp())
}

/// The confidence of a finding the verifier judged.
pub fn verified_confidence(statistical: f64, gain: f32, weights: &[f32; VERIFIER_FEATURES]) -> f64 {
    let z: f32 = verified_features(statistical, gain).iter().zip(weights).map(|(x, w)| x * w).sum();
    1.0 / (1.0 + (-z as f64).exp())
}

/// Each finding judged in its sentence (findings outside any sentence get None).
fn verifier_gains(
    v: &dyn Verifier,
    text: &str,
    tokens: &[Token],
    sentences: &[Range<usize>],
    findings: &[Finding],
) -> Vec<Option<f32>> {
    let spans: Vec<Range<usize>> = sentences
        .iter()
        .filter(|r| r.start < r.end && r.end <= tokens.len())
        .map(|r| tokens[r.start].start..tokens[r.end - 1].end)
        .collect();
    findings
        .iter()
        .map(|f| {
            let s = spans.iter().find(|s| s.start <= f.start && f.end <= s.end)?;
            let sentence = &text[s.clone()];
            v.gains(sentence, f.start - s.start..f.end - s.start, &[f.suggestion.as_str()])?.first().copied()
        })
        .collect()
}

/// Fingerprint findings first; model findings only where they do not overlap one.
fn merge(fingerprint: Vec<Finding>, model: Vec<Finding>) -> Vec<Finding> {
    let mut out = fingerprint;
    let taken: Vec<(usize, usize)> = out.iter().map(|f| (f.start, f.end)).collect();
    out.extend(model.into_iter().filter(|m| !taken.iter().any(|&(s, e)| m.start < e && s < m.end)));
    out
}

/// 0..1: how unlikely clean prose of this length is to show as many
/// findings. Clean text shows about `clean_rate` of confidence mass per
/// 1,000 words (a calibrated false-alarm rate); the count of findings in a
/// clean document is then about Poisson with mean `clean_rate × words`, and
/// the score is the probability that such a document shows fewer findings
/// than this one's confidence mass. A long document needs more findings than a
/// short one to be called spun, and a verdict threshold of 0.99 calls about
/// one clean document in a hundred spun whatever its length. Texts are
/// counted as at least 20 words.
pub fn document_score(findings: &[Finding], words: usize, clean_rate: f64) -> f64 {
    score_of_mass(findings.iter().map(|f| f.confidence).sum(), words, clean_rate)
}

/// [`document_score`] of findings whose confidences sum to `mass`.
pub fn score_of_mass(mass: f64, words: usize, clean_rate: f64) -> f64 {
    let lambda = (clean_rate / 1000.0 * words.max(20) as f64).max(1e-9);
    // P(N < m) for a whole mass m, interpolated linearly in between so that
    // more (or surer) findings always score higher.
    let whole = mass.floor();
    let below = if whole >= 1.0 { poisson_cdf(whole as u64 - 1, lambda) } else { 0.0 };
    let above = poisson_cdf(whole as u64, lambda);
    below + (mass - whole) * (above - below)
}

/// P(N <= n) for N ~ Poisson(lambda).
fn poisson_cdf(n: u64, lambda: f64) -> f64 {
    if lambda > 200.0 {
        // Normal approximation with continuity correction; the sum below
        // would underflow.
        let z = (n as f64 + 0.5 - lambda) / lambda.sqrt();
        return (0.5 * (1.0 + erf(z / std::f64::consts::SQRT_2))).clamp(0.0, 1.0);
    }
    let mut term = (-lambda).exp();
    let mut total = term;
    for i in 1..=n {
        term *= lambda / i as f64;
        total += term;
        if term < 1e-17 * total {
            break;
        }
    }
    total.min(1.0)
}

/// The error function (Abramowitz and Stegun 7.1.26; error below 1.5e-7).
fn erf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let y = 1.0 - poly * (-x * x).exp();
    if x >= 0.0 {
        y
    } else {
        -y
    }
}

/// When a restoration changes the word after "a"/"an", the article must follow:
/// the finding grows to cover the article.
/// The "a" or "an" (any case) right before token `at`, with nothing but
/// white space between, and whether it is "an".
pub(crate) fn preceding_article<'t>(text: &str, tokens: &'t [Token], at: usize) -> Option<(&'t Token, bool)> {
    let art = &tokens[at.checked_sub(1)?];
    let word = &text[art.start..art.end];
    let an = word.eq_ignore_ascii_case("an");
    let article = an || word.eq_ignore_ascii_case("a");
    (article && text[art.end..tokens[at].start].chars().all(char::is_whitespace)).then_some((art, an))
}

fn repair_articles(text: &str, tokens: &[Token], findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        let Some(ti) = tokens.iter().position(|t| t.start == f.start) else { continue };
        let Some((art, an)) = preceding_article(text, tokens, ti) else { continue };
        let art_text = &text[art.start..art.end];
        let gap = &text[art.end..f.start];
        let needed = |phrase: &str| unspin_text::indefinite_article(phrase.split_whitespace().next().unwrap_or(""));
        let with_article = |phrase: &str| format!("{}{gap}{phrase}", unspin_text::apply_case(needed(phrase), art_text));
        if (needed(&f.suggestion) == "an") == an {
            // The span stays as it is: an alternative that wants the other
            // article could not be put in its place.
            f.alternatives.retain(|a| (needed(a) == "an") == an);
            continue;
        }
        f.suggestion = with_article(&f.suggestion);
        // Every alternative now replaces the article too, each with its own.
        f.alternatives = f.alternatives.iter().map(|a| with_article(a)).collect();
        f.start = art.start;
        f.text = text[f.start..f.end].to_string();
    }
}

#[cfg(test)]
mod score_tests {
    use super::*;

    fn findings(n: usize, confidence: f64) -> Vec<Finding> {
        (0..n)
            .map(|i| Finding { start: i, end: i + 1, text: "x".into(), suggestion: "y".into(), confidence, source: Source::Model, alternatives: Vec::new() })
            .collect()
    }

    #[test]
    fn the_score_is_a_poisson_tail() {
        assert_eq!(document_score(&[], 500, 1.0), 0.0);
        // 300 words: mean 0.3 findings; one finding is common, four are not.
        let one = document_score(&findings(1, 1.0), 300, 1.0);
        assert!((one - (-0.3f64).exp()).abs() < 1e-12, "{one}");
        assert!(document_score(&findings(1, 0.8), 300, 1.0) < one);
        assert!(document_score(&findings(4, 0.8), 300, 1.0) > 0.99);
        // The same findings in a long document are ordinary.
        assert!(document_score(&findings(4, 0.8), 5000, 1.0) < 0.5);
        // Huge documents use the normal approximation, continuously.
        let below = document_score(&findings(1000, 1.0), 1_000_000, 1.0);
        let above = document_score(&findings(1100, 1.0), 1_000_000, 1.0);
        assert!(below > 0.4 && below < 0.6 && above > 0.99, "{below} {above}");
    }
}

#[cfg(test)]
mod verifier_tests {
    use super::*;

    /// Gains by rule: +5 for "United", -5 otherwise; records what it saw.
    struct Fake(std::sync::Mutex<Vec<(String, Range<usize>)>>);

    impl Verifier for Fake {
        fn gains(&self, sentence: &str, span: Range<usize>, replacements: &[&str]) -> Option<Vec<f32>> {
            self.0.lock().unwrap().push((sentence.to_string(), span));
            Some(replacements.iter().map(|r| if *r == "United" { 5.0 } else { -5.0 }).collect())
        }
    }

    fn finding(text: &str, word: &str, suggestion: &str) -> Finding {
        let start = text.find(word).unwrap();
        Finding { start, end: start + word.len(), text: word.into(), suggestion: suggestion.into(), confidence: 0.5, source: Source::Model, alternatives: Vec::new() }
    }

    #[test]
    fn alternatives_follow_the_article_repair() {
        let text = "They signed a arrangement and an pact.";
        let tokens = unspin_text::tokenize(text);
        let with = |word: &str, suggestion: &str, alternatives: &[&str]| Finding {
            alternatives: alternatives.iter().map(|a| a.to_string()).collect(),
            ..finding(text, word, suggestion)
        };
        // "agreement" wants "an" where "a" stands: the finding takes the
        // article in, and each alternative gets its own. After "an" it
        // suits: the span stays as it is, and "deal", which would want "a",
        // cannot be offered there.
        let mut findings = [with("arrangement", "agreement", &["deal", "accord"]), with("pact", "agreement", &["order", "deal"])];
        repair_articles(text, &tokens, &mut findings);
        assert_eq!((findings[0].text.as_str(), findings[0].suggestion.as_str()), ("a arrangement", "an agreement"));
        assert_eq!(findings[0].alternatives, ["a deal", "an accord"]);
        assert_eq!((findings[1].text.as_str(), findings[1].suggestion.as_str()), ("pact", "agreement"));
        assert_eq!(findings[1].alternatives, ["order"]);
    }

    #[test]
    fn each_finding_is_judged_in_its_own_sentence() {
        let text = "It rained. The Joined States is big. Nothing here.";
        let tokens = unspin_text::tokenize(text);
        let sentences = unspin_text::sentences(text, &tokens);
        let fake = Fake(Default::default());
        let findings = [finding(text, "Joined", "United"), finding(text, "rained", "poured")];
        let gains = verifier_gains(&fake, text, &tokens, &sentences, &findings);
        assert_eq!(gains, [Some(5.0), Some(-5.0)]);
        let seen = fake.0.lock().unwrap();
        assert_eq!(seen[0].0, "The Joined States is big.");
        assert_eq!(&seen[0].0[seen[0].1.clone()], "Joined");
        assert_eq!(seen[1].0, "It rained.");
    }

    #[test]
    fn verified_confidence_follows_the_gain() {
        let w = [0.0, 1.0, 0.5];
        assert!((verified_confidence(0.5, 0.0, &w) - 0.5).abs() < 1e-6);
        assert!(verified_confidence(0.5, 4.0, &w) > 0.85);
        assert!(verified_confidence(0.5, -4.0, &w) < 0.15);
        assert!(verified_confidence(0.9, 0.0, &w) > verified_confidence(0.6, 0.0, &w));
        // The fitted weights: a finding the model likes much better passes
        // the default threshold, one it likes worse does not.
        let d = &DEFAULT_VERIFIER_WEIGHTS;
        assert!(verified_confidence(0.5, 15.0, d) > 0.7);
        assert!(verified_confidence(0.75, -5.0, d) < 0.7);
    }
}

#[cfg(test)]
mod profile_tests {
    use super::*;

    #[test]
    fn a_profile_brings_its_own_model_and_threshold_whatever_the_order() {
        let web = Config::for_profile(Profile::Web, false);
        assert_eq!(web.profile, Profile::Web);
        assert!(Arc::ptr_eq(&web.confidence_model, &ConfidenceModel::web_model(false)));
        assert_eq!(web.min_confidence, Profile::Web.shipped(false).1);
        assert!(!web.is_thorough());
        assert!(web.spun_shift > 0.0 && Config::default().spun_shift == 0.0);

        // `profile` then `thorough`, or the other way round: the same engine.
        for order in [["profile=web", "thorough=1"], ["thorough=1", "profile=web"]] {
            let mut c = Config::default();
            for kv in order {
                c.set_assignment(kv).unwrap();
            }
            assert!(c.is_thorough(), "{order:?}");
            assert!(Arc::ptr_eq(&c.confidence_model, &ConfidenceModel::web_model(true)), "{order:?}");
            assert_eq!(c.min_confidence, Profile::Web.shipped(true).1, "{order:?}");
            assert_eq!(c.spun_shift, Profile::Web.spun_shift(true), "{order:?}");
        }
        let general = Config::for_profile(Profile::General, true);
        assert!(Arc::ptr_eq(&general.confidence_model, &Config::thorough().confidence_model));
        assert_eq!(general.min_confidence, Config::thorough().min_confidence);
        assert!(Config::default().set("profile", "manuscripts").unwrap_err().contains("general, web or papers"));
        for p in Profile::ALL {
            assert_eq!(Profile::parse(p.name()), Some(p));
        }
    }
}

#[cfg(test)]
mod spun_shift_tests {
    use super::shift_log_odds;

    #[test]
    fn a_shift_moves_log_odds_and_keeps_certainty() {
        assert!((shift_log_odds(0.5, 0.0) - 0.5).abs() < 1e-12);
        let up = shift_log_odds(0.6, 0.459);
        assert!(up > 0.6 && up < 0.75, "{up}");
        assert!((shift_log_odds(up, -0.459) - 0.6).abs() < 1e-9);
        assert_eq!(shift_log_odds(1.0, 0.5), 1.0);
        assert_eq!(shift_log_odds(0.0, 0.5), 0.0);
    }
}
