//! Runs the `unspin` binary: the command-line contract other tools depend on.

mod common;

use std::path::{Path, PathBuf};

use predicates::prelude::*;

use common::{fixture_model, real_model, unspin};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples").join(name)
}

#[test]
fn missing_file_is_a_one_line_error_naming_it() {
    let m = fixture_model();
    unspin()
        .args(["check", "no/such/file.txt", "--model"])
        .arg(m.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/file.txt").and(predicate::str::contains("no such file")));
}

#[test]
fn binary_and_invalid_utf8_are_refused() {
    let m = fixture_model();
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("a.bin");
    std::fs::write(&bin, b"ab\x00cd").unwrap();
    unspin().arg("check").arg(&bin).arg("--model").arg(m.path()).assert().code(2).stderr(predicate::str::contains("binary"));
    let bad = dir.path().join("latin1.txt");
    std::fs::write(&bad, b"caf\xe9 au lait").unwrap();
    unspin()
        .arg("restore")
        .arg(&bad)
        .arg("--model")
        .arg(m.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid UTF-8").and(predicate::str::contains("offset 3")));
}

#[test]
fn missing_model_names_the_setup_command() {
    let empty = tempfile::tempdir().unwrap();
    unspin()
        .args(["check", "--model"])
        .arg(empty.path())
        .write_stdin("hello")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("scripts/setup.sh"));
}

#[test]
fn bad_threshold_and_unknown_flags_are_usage_errors() {
    let m = fixture_model();
    unspin().args(["check", "--threshold", "7", "--model"]).arg(m.path()).write_stdin("x").assert().code(2);
    unspin().args(["check", "--no-such-flag"]).assert().code(2);
}

#[test]
fn empty_input_is_a_clean_empty_report() {
    let m = fixture_model();
    let out = unspin().args(["check", "--json", "--model"]).arg(m.path()).write_stdin("").assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert_eq!(v["spun"], false);
    unspin().args(["restore", "--model"]).arg(m.path()).write_stdin("").assert().success().stdout("");
}

#[test]
fn fixture_model_restores_a_swap_and_keeps_every_other_byte() {
    let m = fixture_model();
    let input = "  The allied states is a big country.\n\n\tThe united states is a big country.\r\n";
    let out = unspin().args(["check", "--json", "--model"]).arg(m.path()).write_stdin(input).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let f = &v["findings"][0];
    let (s, e) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
    assert_eq!(&input[s..e], "allied");
    assert_eq!(f["text"], "allied");
    assert_eq!(f["suggestion"], "united");
    assert_eq!(f["source"], "model");
    assert!(f["confidence"].as_f64().unwrap() > 0.5);
    unspin()
        .args(["restore", "--model"])
        .arg(m.path())
        .write_stdin(input)
        .assert()
        .success()
        .stdout("  The united states is a big country.\n\n\tThe united states is a big country.\r\n");
}

/// An HTML page is checked as the text a reader sees: findings point at
/// their bytes in the page, and restoring changes those words only, never a
/// script, attribute or tag.
#[test]
fn html_pages_are_checked_as_their_text_and_restored_in_place() {
    let m = fixture_model();
    let page = "<!DOCTYPE html><html><head><title>Atlas</title><script>var s = \"The allied states is\";</script></head>\n\
                <body><p class=\"allied states\">The <i>allied</i> states is a big country.</p>\n\
                <p>The allied&nbsp;states is a big country.</p></body></html>\n";
    let out = unspin().args(["check", "--json", "--model"]).arg(m.path()).write_stdin(page).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{v}");
    for f in findings {
        let (s, e) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
        assert_eq!(&page[s..e], "allied");
        assert!(s > page.find("<body>").unwrap(), "a finding in the page's markup: {f}");
    }
    let restored = page.replacen("<i>allied</i>", "<i>united</i>", 1).replacen("The allied&nbsp;", "The united&nbsp;", 1);
    unspin().args(["restore", "--model"]).arg(m.path()).write_stdin(page).assert().success().stdout(restored.clone());
    // --format html on a page auto-detection would miss gives the same.
    let bare = page.trim_start_matches("<!DOCTYPE html>");
    unspin().args(["restore", "--format", "html", "--model"]).arg(m.path()).write_stdin(bare).assert().success().stdout(restored.trim_start_matches("<!DOCTYPE html>").to_string());
    // Read as plain text, the script's words are text too.
    let as_text = unspin().args(["restore", "--format", "text", "--model"]).arg(m.path()).write_stdin(page).assert().success();
    assert!(!String::from_utf8_lossy(&as_text.get_output().stdout).contains("var s = \"The allied states"));
    unspin().args(["check", "--format", "xml"]).write_stdin(page).assert().code(2);
}

#[test]
fn lines_mode_gives_one_record_per_line_in_order() {
    let m = fixture_model();
    let input = "The allied states is a big country.\n\nThe united states is a big country.\r\nno newline at end";
    let out = unspin().args(["check", "--lines", "--json", "--model"]).arg(m.path()).write_stdin(input).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["findings"][0]["suggestion"], "united");
    for l in &lines[1..] {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{l}");
    }
    unspin()
        .args(["restore", "--lines", "--model"])
        .arg(m.path())
        .write_stdin(input)
        .assert()
        .success()
        .stdout("The united states is a big country.\n\nThe united states is a big country.\r\nno newline at end");
}

/// `--lines` answers each line as it arrives: a producer that keeps its
/// pipe open gets the record of every line it wrote. A bad line later on
/// stops the run with its offset, after the lines before it were answered.
#[test]
fn lines_mode_answers_each_line_as_it_arrives() {
    use std::io::{BufRead, BufReader, Write};
    let m = fixture_model();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("unspin"))
        .args(["check", "--lines", "--json", "--model"])
        .arg(m.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut line = String::new();
        while stdout.read_line(&mut line).unwrap() > 0 {
            tx.send(std::mem::take(&mut line)).unwrap();
        }
    });
    stdin.write_all(b"The allied states is a big country.\n").unwrap();
    stdin.flush().unwrap();
    // The pipe is still open: the record must come without it closing.
    let first = rx.recv_timeout(std::time::Duration::from_secs(60)).expect("no record for a line while its pipe stayed open");
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(v["findings"][0]["suggestion"], "united");
    stdin.write_all(b"caf\xe9\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    reader.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not valid UTF-8") && stderr.contains("offset 39"), "{stderr}");
}

/// A file given to `--lines` is checked in batches on every core: the
/// output is the one standard input gets a line at a time, byte for byte,
/// across batch boundaries; a bad line still stops the run with its offset
/// after every line before it was answered.
#[test]
fn lines_from_a_file_are_answered_in_order_as_from_standard_input() {
    let m = fixture_model();
    let dir = tempfile::tempdir().unwrap();
    let sentences = ["The allied states is a big country.", "", "The united states is a big country.", "Nothing to see here"];
    let mut input = String::new();
    for i in 0..9000 {
        input.push_str(sentences[i % sentences.len()]);
        input.push_str(if i % 7 == 0 { "\r\n" } else { "\n" });
    }
    input.push_str("no newline at end");
    let file = dir.path().join("lines.txt");
    std::fs::write(&file, &input).unwrap();
    for args in [&["check", "--lines", "--json"][..], &["check", "--lines"], &["restore", "--lines"]] {
        let from_file = unspin().args(args).arg(&file).arg("--model").arg(m.path()).assert().success();
        let from_stdin = unspin().args(args).arg("--model").arg(m.path()).write_stdin(input.clone()).assert().success();
        assert_eq!(from_file.get_output().stdout, from_stdin.get_output().stdout, "{args:?}");
    }
    let restored = unspin().args(["restore", "--lines"]).arg(&file).arg("--model").arg(m.path()).assert().success();
    assert_eq!(String::from_utf8(restored.get_output().stdout.clone()).unwrap(), input.replace("allied", "united"));

    let mut bad = input.as_bytes()[..input.rfind('\n').unwrap() + 1].to_vec();
    let offset = bad.len();
    bad.extend_from_slice(b"caf\xe9\nThe allied states is a big country.\n");
    std::fs::write(&file, &bad).unwrap();
    let out = unspin().args(["check", "--lines", "--json"]).arg(&file).arg("--model").arg(m.path()).assert().code(2);
    assert_eq!(String::from_utf8_lossy(&out.get_output().stdout).lines().count(), 9000, "every line before the bad one answered");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(stderr.contains("not valid UTF-8") && stderr.contains(&format!("offset {}", offset + 3)), "{stderr}");
}

#[test]
fn fingerprints_are_matched_and_marked() {
    let m = fixture_model();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("fp.csv");
    std::fs::write(&csv, "\"Fingerprint\",\"Expected\",\"N\"\n\"\"\"bosom peril\"\"\",\"breast cancer\",\"5\"\n").unwrap();
    let out = unspin()
        .args(["check", "--json", "--model"])
        .arg(m.path())
        .arg("--fingerprints")
        .arg(&csv)
        .write_stdin("Bosom peril is common.")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["findings"][0]["source"], "fingerprint");
    assert_eq!(v["findings"][0]["suggestion"], "Breast cancer");
    unspin().args(["check", "--fingerprints", "/no/such.csv", "--model"]).arg(m.path()).write_stdin("x").assert().code(2);
}

#[test]
fn real_model_is_quiet_on_clean_text_and_restore_matches_check() {
    let Some(model) = real_model() else { return };
    let clean = std::fs::read_to_string(example("clean-news.txt")).unwrap();
    unspin().arg("restore").arg(example("clean-news.txt")).arg("--model").arg(&model).assert().success().stdout(clean);

    let spun = std::fs::read_to_string(example("spun-news.txt")).unwrap();
    // The default threshold keeps clean prose under one finding per 1,000
    // words; a lower one trades precision for recall, as a reviewer would.
    let out = unspin()
        .args(["check", "--json", "--threshold", "0.3"])
        .arg(example("spun-news.txt"))
        .arg("--model")
        .arg(&model)
        .assert()
        .success();
    let report: unspin_engine::Report = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(report.spun, "the spun example should be called spun");
    assert!(report.findings.len() >= 3);
    let suggested: Vec<&str> = report.findings.iter().map(|f| f.suggestion.as_str()).collect();
    for want in ["United", "jobs", "failure"] {
        assert!(suggested.contains(&want), "{want} not among {suggested:?}");
    }
    // Swapped words whose original the statistics cannot pick out are
    // still found ("compose" for "write": "create" is as likely there).
    let flagged: Vec<&str> = report.findings.iter().map(|f| f.text.as_str()).collect();
    for swapped in ["occupations", "Specialists", "compose", "bosom"] {
        assert!(flagged.contains(&swapped), "{swapped} not among {flagged:?}");
    }
    for f in &report.findings {
        assert_eq!(&spun[f.start..f.end], f.text);
    }
    // The model read into memory (the default) and mapped give one report.
    unspin()
        .env("UNSPIN_MAP_MODEL", "1")
        .args(["check", "--json", "--threshold", "0.3"])
        .arg(example("spun-news.txt"))
        .arg("--model")
        .arg(&model)
        .assert()
        .success()
        .stdout(String::from_utf8(out.get_output().stdout.clone()).unwrap());
    let expected = unspin_engine::apply(&spun, &report.findings);
    unspin()
        .args(["restore", "--threshold", "0.3"])
        .arg(example("spun-news.txt"))
        .arg("--model")
        .arg(&model)
        .assert()
        .success()
        .stdout(expected);
}

/// `--threshold` chooses which findings are shown, never the score or the
/// verdict: those count the findings of the calibrated threshold, against
/// clean prose's rate there. (Counting the shown ones called the spun
/// example clean at 0.95, and half the clean test documents spun at 0.5.)
#[test]
fn real_model_threshold_changes_the_findings_not_the_verdict() {
    let Some(model) = real_model() else { return };
    let check = |threshold: Option<&str>| -> unspin_engine::Report {
        let mut cmd = unspin();
        cmd.args(["check", "--json"]).arg(example("spun-news.txt")).arg("--model").arg(&model);
        if let Some(t) = threshold {
            cmd.args(["--threshold", t]);
        }
        serde_json::from_slice(&cmd.assert().success().get_output().stdout).unwrap()
    };
    let default = check(None);
    assert!(default.spun && default.score > 0.99, "{default:?}");
    let mut shown = usize::MAX;
    for t in ["0", "0.3", "0.6", "0.9", "0.95", "1"] {
        let report = check(Some(t));
        assert_eq!((report.score, report.spun), (default.score, default.spun), "at {t}");
        // A text this spun gets the thorough second look, whose
        // confidences are on the default's scale too.
        let least: f64 = t.parse().unwrap();
        assert!(report.findings.iter().all(|f| f.confidence >= least), "at {t}");
        assert!(report.findings.len() <= shown, "fewer findings as the threshold rises");
        shown = report.findings.len();
    }
    assert!(check(Some("0.3")).findings.len() > default.findings.len() && shown == 0);
}

/// `--alternatives N` lists up to N other probable originals with each model
/// finding, in JSON and in the marked text; the findings, score and
/// restoration are the same as without it, and without it the JSON has no
/// such key (the contract other tools read).
#[test]
fn real_model_lists_other_probable_originals_when_asked() {
    let Some(model) = real_model() else { return };
    let check = |extra: &[&str]| -> serde_json::Value {
        let out = unspin().args(["check", "--json", "--threshold", "0.3"]).args(extra).arg(example("spun-news.txt")).arg("--model").arg(&model).assert().success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let plain = check(&[]);
    let listed = check(&["--alternatives", "3"]);
    let findings = |r: &serde_json::Value| r["findings"].as_array().unwrap().clone();
    assert!(findings(&plain).iter().all(|f| f.get("alternatives").is_none()));
    assert_eq!(plain["score"], listed["score"]);
    let mut with_some = 0;
    for (a, b) in findings(&plain).iter().zip(findings(&listed)) {
        for key in ["start", "end", "text", "suggestion", "confidence", "source"] {
            assert_eq!(a[key], b[key], "{key}");
        }
        if let Some(others) = b.get("alternatives") {
            let others: Vec<&str> = others.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            assert!(!others.is_empty() && others.len() <= 3, "{others:?}");
            assert!(!others.contains(&b["suggestion"].as_str().unwrap()), "{b}");
            with_some += 1;
        }
    }
    assert_eq!(findings(&plain).len(), findings(&listed).len());
    assert!(with_some >= 2, "{listed}");
    // "Joined Together" is "United" first, and other unions after it.
    let united = findings(&listed).into_iter().find(|f| f["text"] == "Joined Together").unwrap();
    assert_eq!(united["suggestion"], "United");
    assert!(united["alternatives"].as_array().unwrap().iter().all(|a| a.as_str().unwrap().chars().next().unwrap().is_uppercase()), "{united}");
    let out = unspin().args(["check", "--alternatives", "2"]).arg(example("spun-news.txt")).arg("--model").arg(&model).assert().success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("[Joined Together -> United 0."), "marked text");
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains(" | "), "alternatives after a bar");
    unspin().args(["check", "--alternatives", "9"]).arg("--model").arg(&model).write_stdin("x").assert().code(2);
}

/// `--thorough` looks harder: a swap with one odd neighbour ("artificial
/// consciousness is", where "consciousness is" is ordinary) is a suspect
/// there and not by default; clean text stays as it is.
#[test]
fn real_model_thorough_finds_more_and_stays_quiet_on_clean_text() {
    let Some(model) = real_model() else { return };
    let clean = std::fs::read_to_string(example("clean-news.txt")).unwrap();
    unspin().args(["restore", "--thorough"]).arg(example("clean-news.txt")).arg("--model").arg(&model).assert().success().stdout(clean);
    let spun = "Artificial consciousness is a hot topic.\n";
    let restore = |extra: &[&str]| -> String {
        let out = unspin().args(["restore", "--threshold", "0.6"]).args(extra).arg("--model").arg(&model).write_stdin(spun).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    assert_eq!(restore(&[]), spun);
    assert_eq!(restore(&["--thorough"]), "Artificial intelligence is a hot topic.\n");
}

/// `--profile web` reads the trees fitted on spun prose alone, at their own
/// thresholds: clean text stays as it is in both settings, a profile that
/// does not exist is a usage error, and the neural verifier, calibrated on
/// the general trees, is refused with it.
#[test]
fn real_model_web_profile_stays_quiet_and_refuses_what_it_cannot_do() {
    let Some(model) = real_model() else { return };
    let clean = std::fs::read_to_string(example("clean-news.txt")).unwrap();
    for extra in [&["--profile", "web"][..], &["--profile", "web", "--thorough"]] {
        unspin().arg("restore").args(extra).arg(example("clean-news.txt")).arg("--model").arg(&model).assert().success().stdout(clean.clone());
    }
    let out = unspin().args(["check", "--profile", "manuscripts", "--model"]).arg(&model).write_stdin("x").assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("general, web, papers"));
    let out = unspin().args(["check", "--profile", "web", "--neural", "--model"]).arg(&model).write_stdin("x").assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("--neural") && err.contains("general") && err.lines().count() == 1, "{err}");
}

/// `--profile papers` reads the trees fitted on clean prose and tortured
/// phrases alone: in the bundled example it keeps the tortured phrase
/// ("kidney disappointment") and leaves the spinner's prose swap ("Joined
/// Together") to the other profiles; clean text stays as it is.
#[test]
fn real_model_papers_profile_looks_for_tortured_phrases() {
    let Some(model) = real_model() else { return };
    let check = |extra: &[&str]| -> unspin_engine::Report {
        let out = unspin().args(["check", "--json"]).args(extra).arg(example("spun-news.txt")).arg("--model").arg(&model).assert().success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let flagged = |r: &unspin_engine::Report| r.findings.iter().map(|f| (f.text.clone(), f.suggestion.clone())).collect::<Vec<_>>();
    let papers = flagged(&check(&["--profile", "papers"]));
    assert!(papers.contains(&("disappointment".into(), "failure".into())), "{papers:?}");
    assert!(!papers.iter().any(|(t, _)| t == "Joined Together"), "{papers:?}");
    assert!(flagged(&check(&[])).iter().any(|(t, _)| t == "Joined Together"));
    let clean = std::fs::read_to_string(example("clean-news.txt")).unwrap();
    for extra in [&["--profile", "papers"][..], &["--profile", "papers", "--thorough"]] {
        unspin().arg("restore").args(extra).arg(example("clean-news.txt")).arg("--model").arg(&model).assert().success().stdout(clean.clone());
    }
}

/// Restoration examples written for this project: each line is
/// `spun sentence<TAB>expected restoration` at the default threshold; clean
/// sentences (their own expectation) must come back unchanged, default and
/// thorough, in both profiles, but in a setting a third column names as a
/// known false alarm, where they must not (so that the note stays true).
#[test]
fn real_model_restores_written_examples() {
    let Some(model) = real_model() else { return };
    let cases = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/restorations.tsv")).unwrap();
    let mut failures = Vec::new();
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut columns = line.split('\t');
        let (spun, want) = (columns.next().unwrap(), columns.next().unwrap());
        let known_false_alarms: Vec<&str> = columns.next().map_or(Vec::new(), |note| note.split(':').next().unwrap().split(';').map(str::trim).collect());
        let settings: &[&[&str]] = if spun == want {
            &[
                &[],
                &["--thorough"],
                &["--profile", "web"],
                &["--profile", "web", "--thorough"],
                &["--profile", "papers"],
                &["--profile", "papers", "--thorough"],
            ]
        } else {
            &[&[]]
        };
        for extra in settings {
            let out = unspin().arg("restore").args(*extra).arg("--model").arg(&model).write_stdin(spun).assert().success();
            let got = String::from_utf8(out.get_output().stdout.clone()).unwrap();
            let expected_false_alarm = known_false_alarms.contains(&extra.join(" ").as_str());
            if (got == want) == expected_false_alarm {
                failures.push(format!("{spun} {extra:?}\n  want {want}{}\n  got  {got}", if expected_false_alarm { " changed (a known false alarm)" } else { "" }));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
