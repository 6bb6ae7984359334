// The command sequence of a quick action as a list: add, remove and reorder entries.
// Without this script the same textarea takes one command a line, so the form works either way.
"use strict";
(function () {
  function enhance(textarea) {
    const list = document.createElement("ol");
    list.className = "command-list";
    const add = document.createElement("button");
    add.type = "button";
    add.className = "button command-add";
    add.textContent = "Add a command";

    function sync() {
      const values = Array.from(list.querySelectorAll("input")).map((input) => input.value);
      textarea.value = values.join("\n");
      list.querySelectorAll("li").forEach((item, index, all) => {
        item.querySelector(".command-up").disabled = index === 0;
        item.querySelector(".command-down").disabled = index === all.length - 1;
        item.querySelector(".command-remove").disabled = all.length === 1;
      });
    }

    function button(label, className, title, onClick) {
      const element = document.createElement("button");
      element.type = "button";
      element.className = "button " + className;
      element.textContent = label;
      element.title = title;
      element.setAttribute("aria-label", title);
      element.addEventListener("click", onClick);
      return element;
    }

    function entry(value) {
      const item = document.createElement("li");
      const input = document.createElement("input");
      input.type = "text";
      input.value = value;
      input.className = "vTextField command-entry";
      input.setAttribute("aria-label", "Command");
      input.addEventListener("input", sync);
      item.append(
        input,
        button("↑", "command-up", "Move up", () => {
          if (item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
          sync();
        }),
        button("↓", "command-down", "Move down", () => {
          if (item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
          sync();
        }),
        button("✕", "command-remove", "Remove", () => {
          item.remove();
          sync();
        }),
      );
      return item;
    }

    const lines = textarea.value.split("\n");
    (lines.length ? lines : [""]).forEach((line) => list.append(entry(line)));
    add.addEventListener("click", () => {
      const item = entry("");
      list.append(item);
      sync();
      item.querySelector("input").focus();
    });
    textarea.hidden = true;
    textarea.after(list, add);
    sync();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("textarea.command-sequence").forEach(enhance);
  });
})();
