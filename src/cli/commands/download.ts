/**
 * `cinerank download <release> [--dir data]`: fetches a MovieLens release from GroupLens,
 * verifies the published MD5, unpacks it to <dir>/<release>; does nothing when it is already
 * there and intact.
 */
import type { Command } from "commander";
import { downloadRelease, RELEASE_ZIPS } from "../../data/index.js";
import { createProgress } from "../progress-bar.js";
import { runCommand } from "../run-command.js";

export interface DownloadCliOptions {
  dir?: string;
  baseUrl?: string;
  quiet?: boolean;
  json?: boolean;
}

export async function downloadAction(release: string, opts: DownloadCliOptions): Promise<void> {
  const progress = createProgress({ quiet: opts.quiet });
  let result: Awaited<ReturnType<typeof downloadRelease>>;
  try {
    result = await downloadRelease(release, {
      dir: opts.dir ?? "data",
      baseUrl: opts.baseUrl,
      onProgress: progress.report,
    });
  } finally {
    progress.stop();
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else if (result.downloaded) {
    process.stderr.write(
      `${release}: ${result.bytes} bytes, MD5 ${result.md5} verified, unpacked to ${result.path}\n`,
    );
  } else process.stderr.write(`${release}: already present in ${result.path}\n`);
}

export function register(program: Command): void {
  program
    .command("download")
    .description("Download a MovieLens release from GroupLens (MD5-verified) and unpack it")
    .argument("<release>", `one of ${Object.keys(RELEASE_ZIPS).join(", ")}`)
    .option("--dir <dir>", "parent folder; the release lands in <dir>/<release>", "data")
    .option("--base-url <url>", "archive base URL (default $CINERANK_DOWNLOAD_BASE or GroupLens)")
    .option("--json", "print the result as JSON on stdout")
    .option("--quiet", "no progress output")
    .action(runCommand(downloadAction));
}
