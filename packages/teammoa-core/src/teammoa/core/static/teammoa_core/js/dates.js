// A time of day as people write it in the page's language (the same as Python's
// teammoa.core.dates.clock_label): "15:00" and "24:00" in English; in Korean the half of
// the day first and 12-hour clocks, "오후 3시", "오전 9시 30분", "자정".
export function clockLabel(hour, minute = 0, lang = document.documentElement.lang) {
  if ((lang || "").split("-")[0] === "ko") {
    if (hour && hour % 24 === 0 && !minute) return "자정";
    const half = hour % 24 < 12 ? "오전" : "오후";
    const text = `${half} ${hour % 12 || 12}시`;
    return minute ? `${text} ${minute}분` : text;
  }
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}
