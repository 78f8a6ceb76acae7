// Jaring public site: fills the region lists and solves the security
// challenge (proof of work with Web Crypto). Everything works without it:
// the forms then go step by step and the server waits a few seconds.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Region lists: choosing a region fills the list below it.
  function clearBelow(sel) {
    var next = sel.getAttribute("data-anak");
    while (next) {
      var s = document.getElementById(next);
      if (!s) break;
      s.length = 1;
      s.disabled = true;
      next = s.getAttribute("data-anak");
    }
  }
  function ready(form) {
    var v = form.querySelector("#wilayah"), b = form.querySelector("button[data-siap]");
    if (v && b) b.textContent = v.value ? b.getAttribute("data-siap") : b.getAttribute("data-lanjut");
  }
  Array.prototype.forEach.call(document.querySelectorAll("select[data-anak]"), function (sel) {
    sel.addEventListener("change", function () {
      clearBelow(sel);
      ready(sel.form);
      if (!sel.value) return;
      var child = document.getElementById(sel.getAttribute("data-anak"));
      fetch("/api/v1/publik/wilayah?induk=" + encodeURIComponent(sel.value), { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (d) {
          d.regions.forEach(function (r) { child.add(new Option(r.name, r.code)); });
          child.disabled = false;
        })
        .catch(function () { /* the Continue button still works */ });
    });
  });
  var village = document.getElementById("wilayah");
  if (village) village.addEventListener("change", function () { ready(village.form); });

  // The challenge: find a nonce such that SHA-256(token ":" nonce) starts
  // with the asked number of zero bits.
  var subtle = window.crypto && window.crypto.subtle;
  var enc = window.TextEncoder ? new TextEncoder() : null;
  function zeroBits(buf) {
    var b = new Uint8Array(buf), n = 0;
    for (var i = 0; i < b.length; i++) {
      if (b[i] === 0) { n += 8; continue; }
      var x = b[i];
      while ((x & 0x80) === 0) { n++; x <<= 1; }
      break;
    }
    return n;
  }
  function solve(token, bits) {
    var start = 0, batch = 256;
    function round() {
      var tries = [];
      for (var i = 0; i < batch; i++) {
        tries.push(subtle.digest("SHA-256", enc.encode(token + ":" + (start + i))));
      }
      return Promise.all(tries).then(function (sums) {
        for (var i = 0; i < sums.length; i++) {
          if (zeroBits(sums[i]) >= bits) return String(start + i);
        }
        start += batch;
        return round();
      });
    }
    return round();
  }
  Array.prototype.forEach.call(document.querySelectorAll("form.cek"), function (form) {
    if (!subtle || !enc) return;
    var token = form.querySelector("input[name=tantangan]"), nonce = form.querySelector("input[name=nonce]");
    var bits = parseInt(form.getAttribute("data-kesulitan"), 10) || 16;
    var status = form.querySelector(".status");
    var done = false, waiting = false;
    var work = solve(token.value, bits).then(function (n) { nonce.value = n; done = true; });
    form.addEventListener("submit", function (e) {
      // A step of a form (Continue) spends no token: it goes at once.
      if (done || e.submitter && e.submitter.hasAttribute("data-langkah")) return;
      e.preventDefault();
      if (waiting) return;
      waiting = true;
      if (status) status.textContent = status.getAttribute("data-tunggu");
      work.then(function () { if (status) status.textContent = ""; form.submit(); });
    });
  });
})();
