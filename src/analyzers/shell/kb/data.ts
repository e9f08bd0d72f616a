import type { CommandSpec, Rule } from "./types.js";

const RAILS_DESTROYERS =
  "^db:(drop|drop:all|reset|purge|purge:all|schema:load|structure:load|migrate:reset|truncate_all|seed:replant|setup)$";
const RAILS: Rule[] = [
  {
    when: [{ operand: RAILS_DESTROYERS }],
    category: "data.destroy",
    reason: "{cmd} {args} wipes the database",
  },
];
const DJANGO: Rule[] = [
  {
    sub: ["flush|reset_db|reset_schema"],
    category: "data.destroy",
    reason: "manage.py {sub} wipes the database",
  },
  {
    sub: ["migrate"],
    when: [{ operand: "^zero$" }],
    category: "data.destroy",
    reason: "manage.py migrate {args} drops an app's tables",
  },
];

/** Database clients and the migration tools of web frameworks. */
/** The MySQL-family clients: inline SQL after -e/--execute goes to the SQL analyzer. */
const MARIADB = {
  handler: "sql",
  sql: { options: ["-e", "--execute"] },
  valueOptions: [
    "-e",
    "--execute",
    "-h",
    "--host",
    "-P",
    "--port",
    "-u",
    "--user",
    "-D",
    "--database",
    "-S",
    "--socket",
  ],
} as const satisfies CommandSpec;

export const DATA_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  psql: {
    handler: "sql",
    sql: { options: ["-c", "--command"] },
    valueOptions: [
      "-c",
      "--command",
      "-f",
      "--file",
      "-h",
      "--host",
      "-p",
      "--port",
      "-U",
      "--username",
      "-d",
      "--dbname",
      "-v",
      "--set",
      "--variable",
      "-o",
      "--output",
      "-P",
      "--pset",
      "-F",
      "--field-separator",
      "-R",
      "--record-separator",
      "-T",
      "--table-attr",
      "-L",
      "--log-file",
    ],
  },
  pgcli: {
    handler: "sql",
    sql: { options: ["-c", "--command"] },
    valueOptions: ["-h", "-p", "-U", "-d", "-c", "--command"],
  },
  usql: {
    handler: "sql",
    sql: { options: ["-c", "--command"] },
    valueOptions: ["-c", "--command", "-f", "--file"],
  },
  mysql: {
    ...MARIADB,
    valueOptions: [...MARIADB.valueOptions, "--defaults-file", "--default-character-set"],
  },
  mariadb: MARIADB,
  sqlite3: {
    handler: "sql",
    sql: { operand: 1, options: ["-cmd"] },
    longSingleDash: true,
    valueOptions: ["-cmd", "-separator", "-newline", "-nullvalue", "-init"],
  },
  sqlite: {
    handler: "sql",
    sql: { operand: 1 },
    longSingleDash: true,
    valueOptions: ["-cmd", "-separator", "-init"],
  },
  duckdb: {
    handler: "sql",
    sql: { operand: 1, options: ["-c"] },
    longSingleDash: true,
    valueOptions: ["-c", "-cmd", "-init"],
  },
  "clickhouse-client": {
    handler: "sql",
    sql: { options: ["-q", "--query"] },
    valueOptions: [
      "-q",
      "--query",
      "-h",
      "--host",
      "--port",
      "-u",
      "--user",
      "-d",
      "--database",
      "--password",
    ],
  },
  cqlsh: {
    handler: "sql",
    sql: { options: ["-e", "--execute"] },
    valueOptions: ["-e", "--execute", "-u", "-p", "-k", "--keyspace"],
  },
  snowsql: {
    handler: "sql",
    sql: { options: ["-q", "--query"] },
    valueOptions: ["-q", "--query", "-a", "-u", "-d", "-s", "-w", "-r"],
  },
  cockroach: {
    handler: "sql",
    sql: { options: ["-e", "--execute"] },
    valueOptions: ["-e", "--execute", "--url", "--host", "-d", "--database", "-u", "--user"],
  },
  bq: {
    valueOptions: ["--project_id", "--location", "--format", "--dataset_id"],
    rules: [
      { sub: ["rm"], category: "data.destroy", reason: "bq rm {args}" },
      { sub: ["query"], handler: "sql" },
    ],
    sql: { operand: 1 },
  },
  dropdb: {
    rules: [
      {
        category: "data.destroy",
        reason: "dropdb {args} deletes a database",
        resources: "postgres:",
      },
    ],
    valueOptions: ["-h", "-p", "-U", "--maintenance-db"],
  },
  dropuser: {
    rules: [{ category: "iam.change", reason: "dropuser {args}" }],
    valueOptions: ["-h", "-p", "-U"],
  },
  createuser: {
    rules: [{ category: "iam.change", reason: "createuser {args}" }],
    valueOptions: ["-h", "-p", "-U", "-c", "-g", "--role"],
  },
  pg_dropcluster: { rules: [{ category: "data.destroy", reason: "pg_dropcluster {args}" }] },
  mysqladmin: {
    rules: [
      { when: [{ operand: "^drop$" }], category: "data.destroy", reason: "mysqladmin drop {args}" },
    ],
    valueOptions: ["-h", "-P", "-u", "-S"],
  },
  "redis-cli": {
    handler: "redis",
    valueOptions: [
      "-h",
      "-p",
      "-a",
      "-n",
      "-u",
      "--user",
      "--pass",
      "-s",
      "--tls",
      "--cacert",
      "-r",
      "-i",
      "--scan",
      "--pattern",
    ],
  },
  mongosh: {
    handler: "mongo",
    valueOptions: [
      "--eval",
      "--host",
      "--port",
      "-u",
      "--username",
      "-p",
      "--password",
      "--authenticationDatabase",
      "-f",
      "--file",
      "--quiet",
    ],
  },
  mongo: {
    handler: "mongo",
    valueOptions: [
      "--eval",
      "--host",
      "--port",
      "-u",
      "--username",
      "-p",
      "--password",
      "--authenticationDatabase",
    ],
  },
  mongorestore: {
    rules: [
      {
        when: [{ flag: "--drop" }],
        category: "data.destroy",
        reason: "mongorestore --drop replaces collections",
      },
    ],
  },
  influx: {
    rules: [
      { sub: ["bucket|org", "delete"], category: "data.destroy", reason: "influx {sub}" },
      { sub: ["delete"], category: "data.destroy", reason: "influx delete {args}" },
    ],
  },
  etcdctl: {
    rules: [
      {
        sub: ["del"],
        when: [{ flag: ["--prefix", "--from-key"] }],
        category: "data.destroy",
        reason: "etcdctl del --prefix {args}",
      },
    ],
  },
  prisma: {
    valueOptions: ["--schema"],
    rules: [
      {
        sub: ["migrate", "reset"],
        category: "data.destroy",
        reason: "prisma migrate reset drops the database",
      },
      {
        sub: ["db", "push"],
        when: [{ flag: ["--force-reset", "--accept-data-loss"] }],
        category: "data.destroy",
        reason: "prisma db push {args} can drop data",
      },
    ],
  },
  "drizzle-kit": {
    rules: [
      { sub: ["drop"], category: "data.destroy", reason: "drizzle-kit drop deletes migrations" },
      {
        sub: ["push"],
        when: [{ flag: ["--force", "-f"] }],
        category: "data.destroy",
        reason: "drizzle-kit push --force applies data-loss changes unasked",
      },
    ],
  },
  rails: { rules: RAILS },
  rake: { rules: RAILS },
  "manage.py": { rules: DJANGO },
  "django-admin": { rules: DJANGO },
  artisan: {
    rules: [
      {
        when: [{ operand: "^(migrate:fresh|migrate:reset|migrate:refresh|db:wipe)$" }],
        category: "data.destroy",
        reason: "artisan {args} wipes the database",
      },
    ],
  },
  knex: {
    rules: [
      {
        sub: ["migrate:rollback"],
        when: [{ flag: "--all" }],
        category: "data.destroy",
        reason: "knex migrate:rollback --all",
      },
    ],
  },
  sequelize: {
    rules: [
      { sub: ["db:drop|db:migrate:undo:all"], category: "data.destroy", reason: "sequelize {sub}" },
    ],
  },
  "sequelize-cli": {
    rules: [
      { sub: ["db:drop|db:migrate:undo:all"], category: "data.destroy", reason: "sequelize {sub}" },
    ],
  },
  typeorm: {
    rules: [{ sub: ["schema:drop"], category: "data.destroy", reason: "typeorm schema:drop" }],
  },
  supabase: {
    rules: [
      {
        sub: ["db", "reset"],
        category: "data.destroy",
        reason: "supabase db reset wipes the database",
      },
    ],
  },
  mix: {
    rules: [{ sub: ["ecto.drop|ecto.reset"], category: "data.destroy", reason: "mix {sub}" }],
  },
  alembic: {
    rules: [
      {
        sub: ["downgrade"],
        when: [{ operand: "^base$" }],
        category: "data.destroy",
        reason: "alembic downgrade base drops every table",
      },
    ],
  },
  dbmate: { rules: [{ sub: ["drop"], category: "data.destroy", reason: "dbmate drop" }] },
  goose: {
    rules: [
      {
        when: [{ operand: "^reset$" }],
        category: "data.destroy",
        reason: "goose reset rolls back every migration",
      },
    ],
  },
  flyway: {
    rules: [
      { sub: ["clean"], category: "data.destroy", reason: "flyway clean drops every object" },
    ],
  },
  liquibase: {
    rules: [{ sub: ["drop-all|dropall"], category: "data.destroy", reason: "liquibase drop-all" }],
  },
  diesel: {
    rules: [
      { sub: ["database", "reset|drop"], category: "data.destroy", reason: "diesel {sub} {args}" },
    ],
  },
  sqlx: {
    rules: [
      { sub: ["database", "drop|reset"], category: "data.destroy", reason: "sqlx {sub} {args}" },
    ],
  },
  atlas: {
    rules: [{ sub: ["schema", "clean"], category: "data.destroy", reason: "atlas schema clean" }],
  },
};
