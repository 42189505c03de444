// Milestone add/edit page: the progress field shows only in manual mode.
import { progressModeToggle } from "./ui.js";

for (const form of document.querySelectorAll("form")) progressModeToggle(form);
