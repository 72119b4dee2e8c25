import { writeTinyRelease } from "../src/data/write-tiny-release.js";
import { loaderContract } from "./loader-contract.js";

for (const name of ["csv-tiny", "ml-1m-tiny", "ml-10m-tiny", "ml-100k-tiny"] as const) {
  loaderContract(name, writeTinyRelease(name));
}
