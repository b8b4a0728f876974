/* gongkai: Chinese search for the theme's search worker (mkdocs-material).
 *
 * The site's pages load this worker in place of the theme's (gongkai rewrites the page's
 * configuration to "gongkai-search.js?worker=search.<hash>.min.js"); it loads the theme's worker
 * from the same folder, and changes two things:
 *
 * 1. A query's Chinese punctuation separates words, as it does in the index: the index is cut
 *    at the characters of its "separator" (which gongkai extends with “”‘’《》（）： and the
 *    like), but the theme splits a query only at spaces, so “三公”经费 was one word that no
 *    page contains. Every non-ASCII character of the query that the separator matches becomes
 *    a space (ASCII ones keep their meaning in the query syntax: - excludes a word).
 * 2. Result titles and texts come without the zero-width spaces (U+200B) that the word
 *    segmentation put in the index. */
(function () {
  "use strict";
  var SETUP = 0, QUERY = 2, RESULT = 3;  /* the theme's SearchMessageType */
  var separator = null;
  var worker = /[?&]worker=(search\.[0-9a-f]+\.min\.js)(?:&|$)/.exec(self.location.search);

  function words(query) {
    if (!separator) return query;
    return query.replace(/[^\x00-\x7f]/g, function (c) { return separator.test(c) ? " " : c; });
  }

  function clean(value) {
    if (typeof value === "string") return value.replace(/\u200b/g, "");
    if (Array.isArray(value)) return value.map(clean);
    if (value && typeof value === "object") {
      var copy = {};
      for (var key in value) {
        if (Object.prototype.hasOwnProperty.call(value, key))
          copy[key] = key === "title" || key === "text" || key === "items" ? clean(value[key]) : value[key];
      }
      return copy;
    }
    return value;
  }

  /* Registered before the theme's worker is loaded, so it sees each message first. */
  self.addEventListener("message", function (event) {
    var message = event.data;
    if (!message) return;
    if (message.type === SETUP && message.data && message.data.config) {
      try {
        separator = new RegExp("^(?:" + message.data.config.separator + ")$");
      } catch (error) {
        separator = null;
      }
    } else if (message.type === QUERY && typeof message.data === "string") {
      message.data = words(message.data);
    }
  });

  var post = self.postMessage.bind(self);
  self.postMessage = function (message) {
    if (message && message.type === RESULT && message.data) {
      message = { type: message.type, data: clean(message.data) };
    }
    return post(message);
  };

  if (worker) importScripts(worker[1]);
})();
