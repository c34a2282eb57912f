// The H5 capture flow over the app's own JSON API (/api/v1/verifications, /api/v1/events/stream).
// Every rule (what a good card photo is, what was read, whether the face passed) stays on the
// server: this script only captures, uploads and shows the server's answers in its own words.
//
// The person's token arrives as a one-time code in the URL fragment (never sent to a server, so
// never logged); it is traded for the token, which stays in this closure's memory only.
(function () {
  "use strict";

  var ACTIONS = {
    blink: ["眨眼", "请闭上双眼,默数两秒后睁开"],
    turn_left: ["向左转头", "请把头缓慢转向您的左侧,保持到倒计时结束"],
    turn_right: ["向右转头", "请把头缓慢转向您的右侧,保持到倒计时结束"],
    open_mouth: ["张嘴", "请张大嘴巴,保持到倒计时结束"],
    nod: ["点头", "请缓慢低头,保持到倒计时结束"]
  };
  // The capture timetable (milliseconds from the moment the camera shows a picture). The engine
  // compares frames with the person's own neutral ones: two neutral frames first, then per action
  // two frames while it is held and one neutral frame after it (N N A1 A1 N A2 A2 N ...).
  var SCHEDULE = { ready: 3000, readyShots: [2000, 2700], act: 2400, actShots: [1200, 1900], rest: 1600, restShots: [1100] };
  var FIELDS = [
    ["name", "姓名"], ["sex", "性别"], ["nation", "民族"], ["birth_date", "出生"], ["address", "住址"],
    ["id_number", "公民身份号码"], ["authority", "签发机关"], ["valid_from", "有效期起"], ["valid_until", "有效期至"]
  ];
  var STATUS_TITLES = {
    created: "等待提交", queued: "正在核验", running: "正在核验", passed: "认证通过", failed: "认证未通过",
    needs_review: "已转人工审核", error: "暂未完成", expired: "认证已超时"
  };

  var body = document.body;
  var returnUrl = body.getAttribute("data-return-url");
  var minFrames = parseInt(body.getAttribute("data-min-frames"), 10);
  var maxFrames = parseInt(body.getAttribute("data-max-frames"), 10);
  var token = null;
  var attempt = null;
  var step = "loading";
  var lastEventId = null;

  function $(id) { return document.getElementById(id); }

  function show(name) {
    step = name;
    var sections = document.querySelectorAll("section.step");
    for (var i = 0; i < sections.length; i++) { sections[i].hidden = sections[i].id !== "step-" + name; }
    var items = document.querySelectorAll(".steps li");
    for (var j = 0; j < items.length; j++) {
      items[j].className = items[j].getAttribute("data-step") === name ? "current" : "";
    }
    notice(null);
  }

  function notice(text) {
    var el = $("notice");
    el.textContent = text || "";
    el.hidden = !text;
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // --- the API, with the token from memory ---------------------------------------------------------
  function ApiError(status, payload) {
    this.status = status;
    this.payload = payload || {};
    this.message = this.payload.message || "网络异常,请稍后重试";
  }

  async function api(method, path, payload) {
    var options = { method: method, headers: { Authorization: "Bearer " + token }, cache: "no-store" };
    if (payload instanceof FormData) {
      options.body = payload;
    } else if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    var response;
    try {
      response = await fetch("/api/v1" + path, options);
    } catch (e) {
      throw new ApiError(0, { message: "网络异常,请检查网络后重试" });
    }
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) { throw new ApiError(response.status, data); }
    return data;
  }

  async function redeem() {
    var match = /(?:^#|&)code=([A-Za-z0-9_-]+)/.exec(window.location.hash);
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname);  // the code leaves the address bar
    }
    if (!match) { throw new ApiError(400, { message: "请从 App 进入认证页面" }); }
    var response = await fetch("/h5/session", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code: match[1] })
    });
    var data = await response.json();
    if (!response.ok) { throw new ApiError(response.status, data); }
    token = data.token;
  }

  // --- the event stream: fetch (EventSource cannot send the Authorization header) ------------------
  async function follow() {
    for (;;) {
      try {
        var headers = { Authorization: "Bearer " + token, Accept: "text/event-stream" };
        if (lastEventId) { headers["Last-Event-ID"] = lastEventId; }
        var response = await fetch("/api/v1/events/stream", { headers: headers, cache: "no-store" });
        if (response.status === 401) { return; }  // the session ended: the next API call says so
        if (!response.ok || !response.body || !response.body.getReader) { throw new Error("no stream"); }
        refresh();  // whatever happened while no stream was open
        await readEvents(response.body.getReader());
      } catch (e) {
        await sleep(3000);
        refresh();  // no stream (an old web view or a proxy that buffers): ask now and then instead
        continue;
      }
      await sleep(200);
    }
  }

  async function readEvents(reader) {
    var decoder = new TextDecoder();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) { return; }
      buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
      var end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  function dispatch(block) {
    var data = null;
    block.split("\n").forEach(function (line) {
      if (line.indexOf("id:") === 0) { lastEventId = line.slice(3).trim(); }
      if (line.indexOf("data:") === 0) { data = line.slice(5).trim(); }
    });
    if (!data || !attempt) { return; }
    var event = JSON.parse(data);
    if (event.attempt_id === attempt.id) { refresh(); }
  }

  async function refresh() {
    if (!attempt || (step !== "check" && step !== "result")) { return; }
    try {
      render(await api("GET", "/verifications/" + attempt.id));
    } catch (e) {
      notice(e.message);
    }
  }

  function render(fresh) {
    attempt = fresh;
    if (step === "check") { renderCard(); }
    if (step === "result") { renderResult(); }
  }

  // --- 1. consent --------------------------------------------------------------------------------------
  $("consent-box").addEventListener("change", function () { $("consent-go").disabled = !this.checked; });
  $("consent-go").addEventListener("click", async function () {
    this.disabled = true;
    try {
      attempt = await api("POST", "/verifications", { consent: true });
      resetCard();
      show("card");
    } catch (e) {
      notice(e.message);
    } finally {
      this.disabled = !$("consent-box").checked;
    }
  });

  // --- 2. the card's two sides --------------------------------------------------------------------------
  var chosen = { front: null, back: null };

  function resetCard() {
    ["front", "back"].forEach(function (side) {
      chosen[side] = null;
      $("file-" + side).value = "";
      $("preview-" + side).hidden = true;
      sideError(side, null);
    });
    $("card-go").disabled = true;
  }

  function sideError(side, text) {
    $("error-" + side).textContent = text || "";
    $("error-" + side).hidden = !text;
    $("side-" + side).className = text ? "side bad" : "side";
  }

  ["front", "back"].forEach(function (side) {
    $("file-" + side).addEventListener("change", function () {
      var file = this.files && this.files[0];
      chosen[side] = file || null;
      sideError(side, null);
      if (file) {
        var preview = $("preview-" + side);
        if (preview.src) { URL.revokeObjectURL(preview.src); }
        preview.src = URL.createObjectURL(file);
        preview.hidden = false;
      }
      $("card-go").disabled = !(chosen.front && chosen.back);
    });
  });

  $("card-go").addEventListener("click", async function () {
    var button = this;
    button.disabled = true;
    button.textContent = "正在上传…";
    var form = new FormData();
    form.append("front", chosen.front, chosen.front.name || "front.jpg");
    form.append("back", chosen.back, chosen.back.name || "back.jpg");
    try {
      attempt = await api("PUT", "/verifications/" + attempt.id + "/card", form);
      show("check");
      renderCard();
    } catch (e) {
      var errors = (e.payload && e.payload.errors) || {};
      var named = false;
      ["front", "back"].forEach(function (side) {
        if (errors[side]) { sideError(side, errors[side].join(" ")); named = true; }
      });
      notice(named ? "请按提示重新拍摄后再上传" : e.message);
      if (e.payload && e.payload.reason === "challenge_expired") { show("consent"); notice(e.message); }
    } finally {
      button.textContent = "上传并识别";
      button.disabled = !(chosen.front && chosen.back);
    }
  });

  // --- 3. what was read, for the person to check (请核对) ---------------------------------------------
  function renderCard() {
    var card = attempt.card || { status: "reading", fields: {} };
    var list = $("card-fields");
    list.textContent = "";
    FIELDS.forEach(function (pair) {
      var value = card.fields[pair[0]];
      if (!value) { return; }
      var dt = document.createElement("dt");
      dt.textContent = pair[1];
      var dd = document.createElement("dd");
      dd.textContent = value;
      dd.setAttribute("data-field", pair[0]);
      list.appendChild(dt);
      list.appendChild(dd);
    });
    fillReasons($("card-problems"), (attempt.problems || []).map(function (p) { return p.message; }));
    $("card-reading").hidden = card.status !== "reading";
    $("check-go").hidden = card.status !== "read" && card.status !== "review";
    $("check-retake").hidden = card.status === "reading";
    if (card.status === "review") { notice("部分信息未能确认,将由客服人工核对;您可以继续下一步"); }
    if (card.status === "failed") { notice("身份证识别未通过,请按提示重新拍摄"); }
  }

  function fillReasons(list, messages) {
    list.textContent = "";
    messages.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
  }

  $("check-retake").addEventListener("click", function () { resetCard(); show("card"); });
  $("check-go").addEventListener("click", function () {
    $("challenge-list").textContent = attempt.challenge.map(function (a) { return (ACTIONS[a] || [a])[0]; }).join("、");
    show("live");
  });

  // --- 4. liveness: the front camera, one action at a time, frames from a canvas -----------------------
  function prompt(text, seconds) {
    $("prompt-text").textContent = text || "";
    $("countdown").textContent = seconds ? String(seconds) : "";
  }

  function grab(video) {
    var canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);  // as the camera sees it, not mirrored
    return canvas;
  }

  function toJpeg(canvas) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.92); });
  }

  // One phase: a prompt with a countdown, frames grabbed at fixed offsets from the phase start
  // (timed from one clock, so a late timer never shifts the phases after it).
  async function phase(video, start, length, shots, text, frames) {
    var next = 0;
    for (;;) {
      var elapsed = performance.now() - start;
      if (elapsed >= length) { return; }
      prompt(text, Math.ceil((length - elapsed) / 1000));
      if (next < shots.length && elapsed >= shots[next]) {
        frames.push(grab(video));
        next += 1;
        continue;
      }
      await sleep(Math.min(50, next < shots.length ? Math.max(0, shots[next] - elapsed) : 50));
    }
  }

  async function openCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new ApiError(0, { message: "当前浏览器无法使用摄像头,请在 App 内或使用系统浏览器打开" });
    }
    try {
      return await navigator.mediaDevices.getUserMedia({
        audio: false, video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } }
      });
    } catch (e) {
      throw new ApiError(0, { message: "无法打开摄像头,请在系统设置中允许使用相机后重试" });
    }
  }

  async function capture(challenge) {
    var stream = await openCamera();
    var video = $("camera");
    video.srcObject = stream;
    try {
      await video.play();
      while (!video.videoWidth) { await sleep(20); }
      var frames = [];
      var at = performance.now();
      await phase(video, at, SCHEDULE.ready, SCHEDULE.readyShots, "请正对屏幕,保持不动", frames);
      at += SCHEDULE.ready;
      for (var i = 0; i < challenge.length; i++) {
        await phase(video, at, SCHEDULE.act, SCHEDULE.actShots, (ACTIONS[challenge[i]] || [challenge[i], ""])[1], frames);
        at += SCHEDULE.act;
        await phase(video, at, SCHEDULE.rest, SCHEDULE.restShots, "请恢复正对屏幕", frames);
        at += SCHEDULE.rest;
      }
      return frames;
    } finally {
      stream.getTracks().forEach(function (t) { t.stop(); });
      video.srcObject = null;
      prompt("", 0);
    }
  }

  $("live-go").addEventListener("click", async function () {
    var button = this;
    button.hidden = true;
    try {
      var canvases = await capture(attempt.challenge);
      if (canvases.length < minFrames || canvases.length > maxFrames) {
        throw new ApiError(0, { message: "活体检测画面数量不符合要求,请重新录制" });
      }
      prompt("正在上传…", 0);
      var form = new FormData();
      for (var i = 0; i < canvases.length; i++) {
        form.append("frames", await toJpeg(canvases[i]), "frame-" + i + ".jpg");
      }
      attempt = await api("POST", "/verifications/" + attempt.id + "/liveness", form);
      show("result");
      renderResult();
    } catch (e) {
      prompt("", 0);
      notice(e.message);
    } finally {
      button.hidden = false;
      button.textContent = "重新开始";
    }
  });

  // --- 5. the result, pushed by the event stream ---------------------------------------------------
  function renderResult() {
    var status = attempt.status;
    $("result-title").textContent = STATUS_TITLES[status] || status;
    var text = {
      queued: "已提交,正在核验,请稍候…",
      running: "已提交,正在核验,请稍候…",
      passed: "您已完成实名实人认证。",
      failed: "请按以下提示重新认证:",
      needs_review: "部分信息需要客服人工核对,结果将通知您,无需重复提交。",
      error: "系统繁忙,客服将为您重新处理,无需重复提交。",
      expired: "认证已超时,请重新开始。"
    }[status] || "";
    $("result-text").textContent = text;
    fillReasons($("result-reasons"), (attempt.reasons || []).map(function (r) { return r.message; }));
    $("result-again").hidden = status !== "failed" && status !== "expired";
    body.setAttribute("data-status", status);
    if (status === "passed") { done(); }
  }

  var told = false;

  function done() {
    if (told) { return; }
    told = true;
    var message = { type: "xjy.verification", status: "passed", attempt_id: attempt.id };
    var bridges = [
      window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.xjyVerification,  // iOS WKWebView
      window.XjyVerification,  // Android addJavascriptInterface
      window.ReactNativeWebView
    ];
    bridges.forEach(function (bridge) {
      if (bridge && typeof bridge.postMessage === "function") {
        try { bridge.postMessage(bridge === bridges[0] ? message : JSON.stringify(message)); } catch (e) { /* next */ }
      }
    });
    if (returnUrl) {
      var link = returnUrl + (returnUrl.indexOf("?") >= 0 ? "&" : "?") + "status=passed&attempt_id=" + attempt.id;
      $("result-return").href = link;
      $("result-return").hidden = false;
      setTimeout(function () { window.location.href = link; }, 1500);
    } else {
      $("result-text").textContent = "您已完成实名实人认证,请返回 App 继续办理。";
    }
  }

  $("result-again").addEventListener("click", function () {
    attempt = null;
    $("consent-box").checked = false;
    $("consent-go").disabled = true;
    show("consent");
  });

  // --- start ----------------------------------------------------------------------------------------
  (async function start() {
    try {
      await redeem();
    } catch (e) {
      show("loading");
      notice(e.message);
      return;
    }
    follow();
    show("consent");
  })();
})();
