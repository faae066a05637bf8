// The drawing canvas of Predict and Inside the model (pages/canvas.py mounts it; fmnist/drawing.py reads its value).
//
// White strokes on black, 280 × 280 canvas pixels, drawn with any pointer (mouse, pen, touch). At every
// pointer-up, pointer cancel, Undo, Redo and Reset it sends one state value at once (no debounce: the prediction waits on it):
// {png: a PNG data URL of the 280 × 280 drawing, strokes: how many, paths: [[width, x0, y0, x1, y1, ...], ...]}.
// While a stroke is drawn it sends the drawing so far, with the stroke in progress as its last path and
// `live: true`, at most every LIVE_MS: the newest drawing wins; one that a newer one overtook is never sent.
//
// Streamlit calls the default export again whenever the data from Python changes (the stroke width, the
// labels after a change of language, the strokes it holds), with the same parentElement as long as the
// element stays mounted. So the canvas is built once per parentElement and later calls only update it;
// the strokes it holds are the truth, and the ones Python sends back are used only by a canvas built anew.
// `known: false` in the data says Python holds no drawing (it forgets a widget's state in a run that does not
// show it): a canvas that shows strokes then sends them again.

const SIZE = 280;
const LIVE_MS = 100;
const canvases = new WeakMap();

// One stroke: [width, x0, y0, x1, y1, ...]; a single point is a dot.
function drawPath(context, path) {
  const [width, x0, y0] = path;
  context.beginPath();
  if (path.length <= 3) {
    context.arc(x0, y0, width / 2, 0, 2 * Math.PI);
    context.fill();
    return;
  }
  context.lineWidth = width;
  context.moveTo(x0, y0);
  for (let i = 3; i < path.length; i += 2) context.lineTo(path[i], path[i + 1]);
  context.stroke();
}

function prepare(context) {
  context.fillStyle = "#fff";
  context.strokeStyle = "#fff";
  context.lineCap = "round";
  context.lineJoin = "round";
}

// The paths drawn on a fresh SIZE × SIZE canvas, as a PNG data URL (what the model's preprocessing reads).
function exportPng(paths) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = SIZE;
  const context = canvas.getContext("2d");
  context.fillStyle = "#000";
  context.fillRect(0, 0, SIZE, SIZE);
  prepare(context);
  for (const path of paths) drawPath(context, path);
  return canvas.toDataURL("image/png");
}

const clampValue = (value) => Math.min(SIZE, Math.max(0, value));
const round = (value) => Math.round(clampValue(value) * 10) / 10;
const inside = ([x, y]) => x >= 0 && x <= SIZE && y >= 0 && y <= SIZE;

// Where the segment from `from` to `to` (one end inside the canvas, one outside) crosses the canvas's edge.
function edgePoint(from, to) {
  const [inner, outer] = inside(from) ? [from, to] : [to, from];
  let t = 1;
  for (const axis of [0, 1]) {
    const delta = outer[axis] - inner[axis];
    if (outer[axis] < 0) t = Math.min(t, -inner[axis] / delta);
    if (outer[axis] > SIZE) t = Math.min(t, (SIZE - inner[axis]) / delta);
  }
  return [round(inner[0] + t * (outer[0] - inner[0])), round(inner[1] + t * (outer[1] - inner[1]))];
}

class DrawingCanvas {
  constructor(root) {
    // "upper-canvas" is the name the layer that takes the pointer had in the Fabric.js canvas this one
    // replaced; the browser tests and measurement scripts find the canvas by it.
    this.canvas = root.querySelector("canvas.upper-canvas");
    this.undoButton = root.querySelector("button.undo");
    this.redoButton = root.querySelector("button.redo");
    this.resetButton = root.querySelector("button.reset");
    this.context = this.canvas.getContext("2d");
    this.paths = []; // Finished strokes.
    // What Undo and Redo step through: {paths: [...]} a gesture's strokes (one, or more when it left the
    // canvas and came back), {reset: [...]} the strokes a Reset cleared.
    this.done = [];
    this.undone = [];
    this.current = null; // The stroke being drawn (null while the pointer is outside the canvas), ...
    this.gesture = null; // ... the strokes of the gesture so far, and the pointer drawing it.
    this.pointerId = null;
    this.last = null; // The gesture's last pointer position, unclamped.
    this.width = 20;
    this.send = () => {};
    this.liveTimer = null; // The pending live send, if any.
    this.lastSent = 0; // When the last value was sent (performance.now()).
    this.scaleToScreen();
    this.watchResolution();
    const listen = (target, type, handler) => target.addEventListener(type, handler.bind(this));
    listen(this.canvas, "pointerdown", this.down);
    listen(this.canvas, "pointermove", this.move);
    listen(this.canvas, "pointerup", this.up);
    listen(this.canvas, "pointercancel", this.cancel);
    listen(this.canvas, "lostpointercapture", this.up);
    listen(this.undoButton, "click", this.undo);
    listen(this.redoButton, "click", this.redo);
    listen(this.resetButton, "click", this.reset);
  }

  // Sharp strokes at any zoom and on any screen: the backing store has devicePixelRatio pixels per canvas
  // pixel, and the strokes, kept in canvas pixels, are drawn again whenever that ratio changes.
  scaleToScreen() {
    const size = Math.max(SIZE, Math.round(SIZE * (window.devicePixelRatio || 1)));
    this.canvas.width = this.canvas.height = size;
    this.context.setTransform(size / SIZE, 0, 0, size / SIZE, 0, 0);
    prepare(this.context);
    this.redraw();
  }

  // A media query that matches only the current ratio tells when it changes (zoom, another screen).
  watchResolution() {
    // Held by the canvas: a query nothing refers to may be collected with its listener.
    const query = (this.resolutionQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`));
    query.addEventListener(
      "change",
      () => {
        if (!this.canvas.isConnected) return;
        this.scaleToScreen();
        this.watchResolution();
      },
      {once: true},
    );
  }

  update(data, setStateValue) {
    this.send = (value) => setStateValue("drawing", value);
    this.width = Number(data.width) || this.width;
    this.undoButton.querySelector(".label").textContent = data.undo || "Undo";
    this.redoButton.querySelector(".label").textContent = data.redo || "Redo";
    this.resetButton.querySelector(".label").textContent = data.reset || "Reset canvas";
    this.canvas.setAttribute("aria-label", data.canvas || "Drawing canvas");
    this.canvas.setAttribute("role", "img");
  }

  adopt(paths) {
    if (Array.isArray(paths) && paths.length > 0 && this.paths.length === 0 && this.gesture === null) {
      this.paths = paths.map((path) => path.slice());
      this.done = this.paths.map((path) => ({paths: [path]}));
      this.redraw();
    }
  }

  redraw() {
    const context = this.context;
    context.save();
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = "#000";
    context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    context.restore();
    for (const path of this.paths) drawPath(context, path);
    for (const path of this.gesture || []) drawPath(context, path);
    this.undoButton.disabled = this.done.length === 0 || this.gesture !== null;
    this.redoButton.disabled = this.undone.length === 0 || this.gesture !== null;
  }

  // The pointer's position in canvas pixels, not clamped (it may be outside while the canvas holds the capture).
  point(event) {
    const box = this.canvas.getBoundingClientRect();
    return [((event.clientX - box.left) * SIZE) / box.width, ((event.clientY - box.top) * SIZE) / box.height];
  }

  down(event) {
    // The main button of a mouse or pen, or a touch; one stroke at a time (a second finger is ignored).
    if (this.gesture !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    // Captured: the moves keep coming while the pointer is outside the canvas, so the stroke can stop at the
    // edge and go on where the pointer comes back.
    this.canvas.setPointerCapture(event.pointerId);
    this.pointerId = event.pointerId;
    this.last = this.point(event);
    this.begin(this.last.map(round));
  }

  begin([x, y]) {
    this.current = [this.width, x, y];
    this.gesture = [...(this.gesture || []), this.current];
    this.redraw();
  }

  move(event) {
    if (this.gesture === null || event.pointerId !== this.pointerId) return;
    const events = (event.getCoalescedEvents && event.getCoalescedEvents()) || [];
    for (const each of events.length ? events : [event]) this.moveTo(this.point(each));
    this.scheduleLive();
  }

  // Follows the pointer: a stroke that leaves the canvas ends at its edge; coming back starts a new stroke of
  // the same gesture at the edge where it enters.
  moveTo(next) {
    const last = this.last;
    this.last = next;
    if (inside(next)) {
      if (!inside(last)) this.begin(edgePoint(last, next));
      this.extend(...next.map(round));
    } else if (inside(last) && this.current !== null) {
      this.extend(...edgePoint(last, next));
      this.current = null;
    }
  }

  // Adds a point (unless it is within a pixel of the last one) and draws the new segment.
  extend(x, y) {
    const path = this.current;
    const lastX = path[path.length - 2];
    const lastY = path[path.length - 1];
    if (Math.abs(x - lastX) < 1 && Math.abs(y - lastY) < 1) return;
    path.push(x, y);
    const context = this.context;
    context.lineWidth = path[0];
    context.beginPath();
    context.moveTo(lastX, lastY);
    context.lineTo(x, y);
    context.stroke();
  }

  // A live send at most every LIVE_MS; while one is pending it will take the drawing as it is when it fires.
  scheduleLive() {
    if (this.liveTimer !== null) return;
    const wait = Math.max(0, this.lastSent + LIVE_MS - performance.now());
    this.liveTimer = setTimeout(() => {
      this.liveTimer = null;
      if (this.gesture !== null) this.sendLive();
    }, wait);
  }

  sendLive() {
    const paths = [...this.paths, ...this.gesture.map((path) => path.slice())];
    this.lastSent = performance.now();
    this.send({png: exportPng(paths), strokes: paths.length, paths, live: true});
  }

  up(event) {
    if (this.gesture === null || event.pointerId !== this.pointerId) return;
    if (event.type === "pointerup") this.moveTo(this.point(event));
    const gesture = this.gesture;
    this.end();
    this.paths.push(...gesture);
    this.done.push({paths: gesture});
    this.undone = []; // A new stroke starts a new future: nothing left to redo.
    this.commit();
  }

  // A cancelled pointer (the browser took the touch over, say) leaves nothing of its gesture.
  cancel(event) {
    if (this.gesture === null || event.pointerId !== this.pointerId) return;
    this.end();
    this.commit();
  }

  end() {
    this.gesture = this.current = this.pointerId = this.last = null;
  }

  undo() {
    const step = this.done.pop();
    if (step === undefined) return;
    if (step.reset) this.paths = step.reset.slice();
    else this.paths.splice(this.paths.length - step.paths.length);
    this.undone.push(step);
    this.commit();
  }

  redo() {
    const step = this.undone.pop();
    if (step === undefined) return;
    if (step.reset) this.paths = [];
    else this.paths.push(...step.paths);
    this.done.push(step);
    this.commit();
  }

  // Clears the canvas as one step that Undo takes back.
  reset() {
    if (this.paths.length === 0) return;
    this.done.push({reset: this.paths.slice()});
    this.undone = [];
    this.paths = [];
    this.commit();
  }

  resend() {
    this.restored = Date.now();
    this.commit();
  }

  // Shows the strokes and sends them to Python at once.
  commit() {
    clearTimeout(this.liveTimer); // The final value replaces any live one still pending.
    this.liveTimer = null;
    this.lastSent = performance.now();
    this.redraw();
    const paths = this.paths;
    const value = {png: paths.length ? exportPng(paths) : null, strokes: paths.length, paths};
    if (this.restored) value.restored = this.restored;
    this.restored = 0;
    this.send(value);
  }
}

export default function (component) {
  const {data, parentElement, setStateValue} = component;
  let canvas = canvases.get(parentElement);
  if (canvas === undefined) {
    canvas = new DrawingCanvas(parentElement);
    canvases.set(parentElement, canvas);
    canvas.adopt((data || {}).paths);
  }
  canvas.update(data || {}, setStateValue);
  // Python forgets the drawing in a run that does not show the canvas (Draw -> Upload -> Draw), while this
  // canvas (or a new one, from the strokes Python kept) still shows it: send it again, marked as new, since
  // the browser may hold that very value and would not pass an equal one on; after this call returns.
  if (data && data.known === false && canvas.paths.length > 0) setTimeout(() => canvas.resend(), 0);
}
