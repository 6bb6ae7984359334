/* The dashboard's member chooser: as a parent types in the Member box, suggest the matching names
   (members.json, which answers only the members this login may see). Without this script the box
   still works: type a name and press Show. */
"use strict";
(function () {
  function start() {
    const box = document.getElementById("id_member");
    const list = document.getElementById("member-suggestions");
    if (!box || !list || !window.fetch) return;
    let timer = null;
    let asked = null;
    function suggest() {
      const text = box.value.trim();
      if (text === asked) return;
      asked = text;
      const url = list.dataset.source + "?" + new URLSearchParams({ q: text });
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { members: [] }; })
        .then(function (answer) {
          if (asked !== text) return;  // a later keystroke asked again
          list.replaceChildren(...answer.members.map(function (name) {
            const option = document.createElement("option");
            option.value = name;
            return option;
          }));
        })
        .catch(function () {});
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 150);
    });
    box.addEventListener("focus", suggest);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
