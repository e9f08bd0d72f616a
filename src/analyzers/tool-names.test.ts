import { describe, expect, it } from "vitest";
import { classifyToolCall, classifyToolName, toolWords } from "./tool-names.js";

describe("tool names", () => {
  it("splits every naming style into words", () => {
    expect(toolWords("deleteRepository")).toEqual(["delete", "repository"]);
    expect(toolWords("delete_repository")).toEqual(["delete", "repository"]);
    expect(toolWords("repos.delete")).toEqual(["repos", "delete"]);
    expect(toolWords("Create-Refund")).toEqual(["create", "refund"]);
  });

  it.each([
    ["delete_repository", "data.destroy"],
    ["drop_table", "data.destroy"],
    ["repos.delete", "data.destroy"],
    ["delete_snapshot", "backup.destroy"],
    ["deleteBackup", "backup.destroy"],
    ["delete_branch", "vcs.rewrite"],
    ["terminate_instance", "infra.destroy"],
    ["delete_cluster", "infra.destroy"],
    ["delete_log_group", "audit.tamper"],
    ["refund_customer", "money.move"],
    ["create_refund", "money.move"],
    ["transfer_funds", "money.move"],
    ["createPayout", "money.move"],
    ["send_email", "external.send"],
    ["send_sms", "external.send"],
    ["grant_access", "iam.change"],
    ["create_user", "iam.change"],
    ["add_collaborator", "iam.change"],
    ["create_access_key", "iam.change"],
    ["get_secret", "secret.access"],
    ["read_api_key", "secret.access"],
    ["deploy_service", "deploy.prod"],
    ["publish_package", "deploy.prod"],
    ["disable_firewall", "security.weaken"],
    ["force_push", "vcs.rewrite"],
  ])("%s → %s", (name, category) => {
    expect(classifyToolName(name)?.category).toBe(category);
  });

  it.each([
    "get_order",
    "lookup_customer",
    "summarize_ticket",
    "list_customers",
    "search_messages",
    "read_file",
    "create_issue",
    "get_file_contents",
    "list_keys",
    "update_user_address",
    "write_file",
  ])("%s says nothing dangerous", (name) => {
    expect(classifyToolName(name)).toBeUndefined();
  });
});

describe("tool calls", () => {
  it("read more nouns from resource arguments, verbs only from the name", () => {
    expect(classifyToolName("kubectl_delete", ["namespace"])?.category).toBe("infra.destroy");
    expect(classifyToolName("delete_branch_protection")?.category).toBe("security.weaken");
    expect(classifyToolName("namespace_info", ["delete"])).toBeUndefined();
  });

  it("read arguments that change the effect", () => {
    expect(classifyToolCall("push_files", { force: true }).map((r) => r.category)).toEqual([
      "vcs.rewrite",
    ]);
    expect(classifyToolCall("push_files", { force: false })).toEqual([]);
    expect(classifyToolCall("kubectl_scale", { replicas: 0 }).map((r) => r.category)).toEqual([
      "infra.destroy",
    ]);
    expect(classifyToolCall("kubectl_scale", { replicas: 2 })).toEqual([]);
    expect(
      classifyToolCall("create_deployment", { environment: "production" }).map((r) => r.category),
    ).toEqual(["deploy.prod"]);
  });
});
