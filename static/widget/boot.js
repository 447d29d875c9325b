// Starts the Lipa widget. Everything else, its calls to the edge and its live line to the
// checkout, is the widget's own (Rust, web-sys).
import init from './lipa_widget.js';

init();
