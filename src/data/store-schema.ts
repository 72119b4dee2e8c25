/**
 * The store's tables (DuckDB). Imported release tables are rebuilt from the files whenever the
 * files change; `ratings_added` holds ratings added later (live user ratings) and is carried
 * over to rebuilt stores, and every load appends it after the release's ratings.
 *
 *   movies(pos, movie, title, year, genres VARCHAR[], genre_mask)  pos = order in the movies file
 *   ratings(user, movie, rating, timestamp)                        in file order
 *   ratings_added(user, movie, rating, timestamp, added_at)
 *   tags(user, movie, tag, timestamp)   links(movie, imdb, tmdb)
 *   users(user, age, gender, occupation, zip)                      ml-100k, ml-1m only
 *   genome_tags(tag_id, tag)   genome_scores(movie, tag_id, relevance)
 *   meta(key, value)   keys: format, release, layout, source_dir, fingerprint, report, complete
 */
export const STORE_FORMAT = "2";

/** Tables every store has (empty when the release lacks the file). */
export const EMPTY_TABLES: Record<string, string> = {
  tags: "CREATE TABLE tags(user INTEGER, movie INTEGER, tag VARCHAR, timestamp BIGINT)",
  links: "CREATE TABLE links(movie INTEGER, imdb VARCHAR, tmdb INTEGER)",
  users:
    "CREATE TABLE users(user INTEGER, age INTEGER, gender VARCHAR, occupation VARCHAR, zip VARCHAR)",
  genome_tags: "CREATE TABLE genome_tags(tag_id INTEGER, tag VARCHAR)",
  genome_scores: "CREATE TABLE genome_scores(movie INTEGER, tag_id INTEGER, relevance FLOAT)",
};

export const RATINGS_ADDED_DDL =
  "CREATE TABLE ratings_added(user INTEGER, movie INTEGER, rating FLOAT, timestamp BIGINT, added_at BIGINT)";

export const META_DDL = "CREATE TABLE meta(key VARCHAR PRIMARY KEY, value VARCHAR)";
