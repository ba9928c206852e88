// Scroll the article box to the first highlighted passage (or the one in the URL's #w-...).
(function () {
  const box = document.querySelector(".article");
  if (!box) return;
  const pick = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    const anchor = id ? document.getElementById(id) : null;
    return anchor ? anchor.closest("mark") : box.querySelector("mark");
  };
  const show = () => {
    const mark = pick();
    if (!mark) return;
    box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - box.clientHeight / 4);
  };
  show();
  window.addEventListener("hashchange", show);
})();
