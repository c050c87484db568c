// The unspin page: checks the text with POST /v1/check and shows each
// finding in place. Offsets from the API are UTF-8 byte offsets, so the
// checked text is kept as bytes and cut there.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const textarea = $("text");
  const checkButton = $("check");
  const statusLine = $("status");
  const result = $("result");
  const verdict = $("verdict");
  const doc = $("doc");
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  // The checked text, its findings, what the reader decided for each
  // ("pending", "accepted" or "rejected") and which of its probable
  // originals (the suggestion, then any alternatives the server lists) is
  // chosen.
  let checked = null;

  function say(message, isError) {
    statusLine.textContent = message;
    statusLine.classList.toggle("error", !!isError);
  }

  function percent(x) {
    return Math.round(x * 100) + "%";
  }

  // A finding's probable originals: its suggestion first.
  function originals(f) {
    return [f.suggestion].concat(f.alternatives || []);
  }

  function chosen(i) {
    return originals(checked.findings[i])[checked.choices[i]];
  }

  // The checked text with the accepted suggestions applied.
  function currentText() {
    if (!checked) return textarea.value;
    let out = "";
    let at = 0;
    checked.findings.forEach((f, i) => {
      out += decoder.decode(checked.bytes.subarray(at, f.start));
      out += checked.decisions[i] === "accepted" ? chosen(i) : f.text;
      at = f.end;
    });
    return out + decoder.decode(checked.bytes.subarray(at));
  }

  function describe(i) {
    const f = checked.findings[i];
    const decision = checked.decisions[i];
    let base = "“" + f.text + "”: probable original “" + f.suggestion + "”, " + percent(f.confidence) + " confident";
    const n = originals(f).length;
    if (n > 1) {
      base += "; or " + f.alternatives.map((a) => "“" + a + "”").join(", ");
      if (checked.choices[i] > 0) base += "; “" + chosen(i) + "” chosen";
    }
    const arrows = n > 1 ? ", the arrow keys choose another original" : "";
    if (decision === "accepted") return base + ". Accepted; Enter undoes it" + arrows + ".";
    if (decision === "rejected") return base + ". Rejected; Enter accepts it instead" + arrows + ".";
    return base + ". Enter accepts, Delete rejects" + arrows + ".";
  }

  function showDecision(i) {
    const f = checked.findings[i];
    const decision = checked.decisions[i];
    const span = checked.spans[i];
    span.className = "finding " + decision;
    const phrase = span.querySelector(".phrase");
    phrase.textContent = decision === "accepted" ? chosen(i) : f.text;
    phrase.setAttribute("aria-label", describe(i));
    const tip = span.querySelector(".tip");
    tip.textContent = "";
    if (decision === "accepted") {
      tip.append("Was “" + f.text + "”. ");
    }
    tip.append("Suggested: ");
    const b = document.createElement("b");
    b.textContent = f.suggestion;
    tip.append(b, " · " + percent(f.confidence) + " confident" + (f.source === "fingerprint" ? " · known tortured phrase" : ""));
    const all = originals(f);
    if (all.length > 1) {
      // The other probable originals, to choose with the mouse (the
      // keyboard's arrow keys do the same on the phrase).
      const others = document.createElement("span");
      others.className = "others";
      others.append("Or: ");
      all.forEach((o, k) => {
        const choose = document.createElement("button");
        choose.type = "button";
        choose.className = "other" + (k === checked.choices[i] ? " chosen" : "");
        choose.tabIndex = -1;
        choose.textContent = o;
        choose.addEventListener("click", () => pickOriginal(i, k));
        others.append(choose, " ");
      });
      tip.append(others);
    }
  }

  function decide(i, decision) {
    checked.decisions[i] = decision;
    showDecision(i);
    textarea.value = currentText();
    summarise();
  }

  // Chooses original `k` of finding `i` and accepts it.
  function pickOriginal(i, k) {
    checked.choices[i] = k;
    decide(i, "accepted");
  }

  function summarise() {
    const n = checked.findings.length;
    const accepted = checked.decisions.filter((d) => d === "accepted").length;
    const rejected = checked.decisions.filter((d) => d === "rejected").length;
    $("accept-all").disabled = checked.decisions.every((d) => d !== "pending");
    if (n === 0) {
      say("No suspicious phrases found.");
    } else {
      say(n + " suspicious phrase" + (n === 1 ? "" : "s") + ": " + accepted + " accepted, " + rejected + " rejected.");
    }
  }

  function render(text, report) {
    const bytes = encoder.encode(text);
    checked = { bytes: bytes, findings: report.findings, decisions: report.findings.map(() => "pending"), choices: report.findings.map(() => 0), spans: [] };
    verdict.className = report.spun ? "spun" : "clean";
    verdict.textContent = (report.spun ? "Likely spun" : "Probably not spun") + " — score " + report.score.toFixed(2) + " of 1";
    doc.textContent = "";
    let at = 0;
    report.findings.forEach((f, i) => {
      doc.append(decoder.decode(bytes.subarray(at, f.start)));
      const span = document.createElement("span");
      const phrase = document.createElement("button");
      phrase.type = "button";
      phrase.className = "phrase";
      phrase.dataset.index = String(i);
      const tipId = "tip-" + i;
      phrase.setAttribute("aria-describedby", tipId);
      const reject = document.createElement("button");
      reject.type = "button";
      reject.className = "reject";
      reject.tabIndex = -1; // keyboard users press Delete on the phrase
      reject.textContent = "×";
      reject.title = "Reject this suggestion";
      reject.setAttribute("aria-hidden", "true");
      const tip = document.createElement("span");
      tip.className = "tip";
      tip.id = tipId;
      tip.setAttribute("role", "tooltip");
      span.append(phrase, reject, tip);
      doc.append(span);
      checked.spans.push(span);
      showDecision(i);
      phrase.addEventListener("click", () => decide(i, checked.decisions[i] === "accepted" ? "pending" : "accepted"));
      phrase.addEventListener("keydown", (e) => {
        if (e.key === "Delete" || e.key === "Backspace") {
          e.preventDefault();
          decide(i, "rejected");
        } else if ((e.key === "ArrowDown" || e.key === "ArrowUp") && originals(f).length > 1) {
          // The next (or the previous) probable original, accepted.
          e.preventDefault();
          const n = originals(f).length;
          pickOriginal(i, (checked.choices[i] + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
        }
      });
      reject.addEventListener("click", () => decide(i, "rejected"));
      at = f.end;
    });
    doc.append(decoder.decode(bytes.subarray(at)));
    result.hidden = false;
    summarise();
  }

  async function check() {
    const text = textarea.value;
    if (text.trim() === "") {
      say("Paste or type some text first.", true);
      textarea.focus();
      return;
    }
    checkButton.disabled = true;
    say("Checking…");
    // The sensitivity is a confidence threshold of the chosen profile's
    // scale: about 2 ("high") and 4 ("highest") false alarms per 1,000
    // words of clean prose, held out on the development split; standard
    // keeps the server's threshold.
    const THRESHOLDS = { general: { high: 0.6, highest: 0.5 }, web: { high: 0.4, highest: 0.3 }, papers: { high: 0.75, highest: 0.6 } };
    function requestBody(text) {
      const profile = document.getElementById("profile").value;
      const level = document.getElementById("sensitivity").value;
      const threshold = level && THRESHOLDS[profile] ? THRESHOLDS[profile][level] : undefined;
      // Up to three other probable originals a finding, offered in its tooltip.
      const body = { text: text, profile: profile, alternatives: 3 };
      if (threshold !== undefined) body.threshold = threshold;
      return body;
    }
    try {
      const response = await fetch("/v1/check", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(requestBody(text)),
      });
      let body = null;
      try {
        body = await response.json();
      } catch (_) {
        // Not JSON: reported below with the status.
      }
      if (!response.ok) {
        const retry = response.headers.get("Retry-After");
        throw new Error((body && body.error) || "the server answered " + response.status + (retry ? "; retry in " + retry + " s" : ""));
      }
      render(text, body);
      const first = doc.querySelector(".phrase");
      if (first) {
        first.focus();
      } else {
        verdict.setAttribute("tabindex", "-1");
        verdict.focus();
      }
    } catch (e) {
      result.hidden = true;
      checked = null;
      say("Could not check the text: " + e.message, true);
    } finally {
      checkButton.disabled = false;
    }
  }

  checkButton.addEventListener("click", check);
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      check();
    }
  });
  // Offsets belong to the checked text: once the reader edits it, the
  // highlights no longer apply.
  textarea.addEventListener("input", () => {
    if (checked) {
      checked = null;
      result.hidden = true;
      say("The text changed: press Check to check it again.");
    }
  });
  $("accept-all").addEventListener("click", () => {
    checked.decisions.forEach((d, i) => {
      if (d === "pending") decide(i, "accepted");
    });
  });
  $("copy").addEventListener("click", async () => {
    const text = currentText();
    try {
      await navigator.clipboard.writeText(text);
      say("Restored text copied.");
    } catch (_) {
      // No clipboard permission: select the text so that Ctrl+C copies it.
      textarea.focus();
      textarea.select();
      say("Press Ctrl+C to copy the selected text.");
    }
  });
})();
