/**
 * Appends rows to a DuckDB table in column chunks (DuckDBDataChunk + appender), which is many
 * times faster than row-by-row appends for the 20M-row tables.
 */
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
} from "@duckdb/node-api";

const ROWS = 2048;

export class ChunkWriter {
  private readonly cols: DuckDBValue[][];
  private n = 0;
  rows = 0;

  private constructor(
    private readonly appender: DuckDBAppender,
    private readonly types: DuckDBType[],
  ) {
    this.cols = types.map(() => new Array<DuckDBValue>(ROWS));
  }

  static async open(
    conn: DuckDBConnection,
    table: string,
    types: DuckDBType[],
  ): Promise<ChunkWriter> {
    return new ChunkWriter(await conn.createAppender(table), types);
  }

  /** Values of one row, in column order. */
  row(...values: DuckDBValue[]): void {
    const n = this.n;
    for (let j = 0; j < values.length; j++) this.cols[j][n] = values[j];
    this.n = n + 1;
    this.rows++;
    if (this.n === ROWS) this.flush();
  }

  private flush(): void {
    if (this.n === 0) return;
    const chunk = DuckDBDataChunk.create(this.types, this.n);
    for (let j = 0; j < this.cols.length; j++) {
      chunk.setColumnValues(j, this.n === ROWS ? this.cols[j] : this.cols[j].slice(0, this.n));
    }
    this.appender.appendDataChunk(chunk);
    this.n = 0;
  }

  close(): void {
    this.flush();
    this.appender.closeSync();
  }
}
