import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loaderContract } from "./loader-contract.js";

// dist/test/ -> project root
const fixtures = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "test", "fixtures");

loaderContract("csv-tiny", resolve(fixtures, "csv-tiny"));
loaderContract("ml-1m-tiny", resolve(fixtures, "ml-1m-tiny"));
loaderContract("ml-10m-tiny", resolve(fixtures, "ml-10m-tiny"));
loaderContract("ml-100k-tiny", resolve(fixtures, "ml-100k-tiny"));
