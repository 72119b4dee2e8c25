/**
 * Which tag applications may feed content features: only those that the training data could
 * have known — not after the last training timestamp, and not by a user on a movie whose rating
 * by that user is a validation / test / dropped row (that tag would reveal the held-out pair).
 */
import type { Dataset } from "../data/index.js";
import { groupBy, PART_TRAIN, type Split } from "../splits/index.js";

export function allowedTags(dataset: Dataset, split: Split): Uint8Array {
  const r = dataset.ratings;
  const t = dataset.tags;
  const nUsers = dataset.users.size;
  let maxTs = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < split.train.length; j++) maxTs = Math.max(maxTs, r.timestamp[split.train[j]]);
  let nHeld = 0;
  for (let i = 0; i < split.part.length; i++) if (split.part[i] !== PART_TRAIN) nHeld++;
  const held = new Int32Array(nHeld);
  for (let i = 0, k = 0; i < split.part.length; i++)
    if (split.part[i] !== PART_TRAIN) held[k++] = i;
  // Held-out movies per user, sorted, for a binary search per tag application.
  const { order, start } = groupBy(r.user, nUsers, held);
  const movies = Int32Array.from(order, (i) => r.movie[i]);
  for (let u = 0; u < nUsers; u++) movies.subarray(start[u], start[u + 1]).sort();
  const ok = new Uint8Array(t.tag.length);
  for (let j = 0; j < ok.length; j++) {
    if (!(t.timestamp[j] <= maxTs) || t.movie[j] < 0) continue;
    const u = t.user[j];
    const valid = u >= 0 && u < nUsers;
    let lo = valid ? start[u] : 0;
    const end = valid ? start[u + 1] : 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (movies[mid] < t.movie[j]) lo = mid + 1;
      else hi = mid;
    }
    ok[j] = lo < end && movies[lo] === t.movie[j] ? 0 : 1;
  }
  return ok;
}
