// The demo's stand-in for the app: log in through the API, hand the token over for a one-time
// code, open the capture page with that code in the fragment (exactly what an app does).
(function () {
  "use strict";
  var captchaId = null;

  function $(id) { return document.getElementById(id); }

  function notice(text) {
    $("notice").textContent = text || "";
    $("notice").hidden = !text;
  }

  async function json(response) {
    try { return await response.json(); } catch (e) { return {}; }
  }

  async function newCaptcha() {
    var data = await json(await fetch("/api/v1/captchas", { cache: "no-store" }));
    captchaId = data.captcha_id;
    $("captcha-image").src = "data:image/png;base64," + data.image;
    $("captcha").value = "";
  }

  $("captcha-image").addEventListener("click", newCaptcha);
  $("demo-login").addEventListener("submit", async function (event) {
    event.preventDefault();
    notice(null);
    var response = await fetch("/api/v1/sessions", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        method: "password", username: $("username").value, password: $("password").value,
        captcha_id: captchaId, captcha: $("captcha").value
      })
    });
    var data = await json(response);
    // An unverified account gets the gate's 403 with a verification-scoped session: that is the one.
    var session = response.ok ? data : data.session;
    if (!session || !session.token) {
      notice(data.message || "登录失败");
      newCaptcha();
      return;
    }
    var handover = await fetch("/h5/handover", { method: "POST", headers: { Authorization: "Bearer " + session.token } });
    var link = await json(handover);
    if (!handover.ok) { notice(link.message || "无法打开认证页面"); return; }
    window.location.href = link.url;
  });
  newCaptcha();
})();
