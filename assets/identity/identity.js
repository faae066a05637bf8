// The browser's identity in Fashion-MNIST Studio (pages/identity.py mounts it, unseen, in the sidebar).
//
// It keeps two things in this browser's localStorage, which every tab of the browser profile shares and which
// survives reloads and closed tabs: a random owner secret (32 bytes from crypto.getRandomValues, as 64 hex
// digits), made the first time, and the display name the learner typed. It sends both to Python as the state
// value "identity" = {secret, name}; the server keeps only an HMAC of the secret (fmnist/runs/owners.py).
// When Python's data carries a name (the learner changed it in the sidebar), that name is stored first.

const SECRET_KEY = "fmnist.owner-secret";
const NAME_KEY = "fmnist.display-name";
const SECRET = /^[A-Za-z0-9_-]{32,128}$/;
const sent = new WeakMap();
let memory = {}; // Where the values live when localStorage is refused (a private window): this page only.

function read(key) {
  try {
    return window.localStorage.getItem(key);
  } catch (error) {
    return memory[key] ?? null;
  }
}

function write(key, value) {
  memory[key] = value;
  try {
    window.localStorage.setItem(key, value);
  } catch (error) {
    // Kept in memory only.
  }
}

function ownerSecret() {
  const kept = read(SECRET_KEY);
  if (kept && SECRET.test(kept)) return kept;
  const bytes = new Uint8Array(32);
  window.crypto.getRandomValues(bytes);
  const secret = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  write(SECRET_KEY, secret);
  return secret;
}

export default function (component) {
  const {data, parentElement, setStateValue} = component;
  const wanted = data && typeof data.name === "string" ? data.name : null;
  if (wanted !== null && wanted !== (read(NAME_KEY) ?? "")) write(NAME_KEY, wanted);
  const value = {secret: ownerSecret(), name: read(NAME_KEY) ?? ""};
  const last = sent.get(parentElement);
  if (last === undefined || last.secret !== value.secret || last.name !== value.name) {
    sent.set(parentElement, value);
    setStateValue("identity", value);
  }
  // A mark that the server has been sent the identity: browser tests wait for it (and for the rerun it brings)
  // before they change the Train form, since a rerun that arrives after a change carries the form's old values.
  const element = parentElement.querySelector(".fmnist-identity");
  if (element) element.dataset.sent = "1";
}
