// Starts the Lipa widget: loads the wasm module, whose start function mounts the component.
import init from './lipa_widget.js';

init();
