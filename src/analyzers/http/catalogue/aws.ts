import type { HttpOperation } from "./types.js";

/**
 * AWS. Query-protocol services (EC2, IAM, RDS…) name the operation in an `Action` parameter;
 * JSON-protocol ones (DynamoDB, KMS…) in `X-Amz-Target`, which the matcher also reads as the
 * `Action` field; REST ones (S3, Lambda, EKS, Backup) by method and path.
 */

const QUERY = ["GET", "POST"] as const;
const EC2 = ["ec2.amazonaws.com", "ec2.{region}.amazonaws.com"];
const IAM = ["iam.amazonaws.com", "iam.{region}.amazonaws.com"];
const RDS = "rds.{region}.amazonaws.com";

/** Shorthand for the one test most AWS entries need: the operation name is one of these. */
const action = (names: readonly string[]) =>
  [{ from: "field", name: "Action", equals: names }] as const;

export const AWS_OPERATIONS: readonly HttpOperation[] = [
  // EC2
  {
    host: EC2,
    method: QUERY,
    path: "/",
    when: action([
      "TerminateInstances",
      "DeleteVpc",
      "DeleteSubnet",
      "DeleteNatGateway",
      "DeleteTransitGateway",
    ]),
    category: "infra.destroy",
    reason: "EC2 {Action} {InstanceId.1}",
  },
  {
    host: EC2,
    method: QUERY,
    path: "/",
    when: action(["DeleteVolume"]),
    category: "data.destroy",
    reason: "EC2 DeleteVolume {VolumeId}",
  },
  {
    host: EC2,
    method: QUERY,
    path: "/",
    when: action(["DeleteSnapshot", "DeregisterImage"]),
    category: "backup.destroy",
    reason: "EC2 {Action}",
  },
  {
    host: EC2,
    method: QUERY,
    path: "/",
    when: [
      ...action(["AuthorizeSecurityGroupIngress"]),
      { from: "body", matches: "0\\.0\\.0\\.0/0|::/0" },
    ],
    category: "security.weaken",
    reason: "EC2 security group opened to the internet",
  },
  {
    host: EC2,
    method: QUERY,
    path: "/",
    when: [
      ...action(["AuthorizeSecurityGroupIngress"]),
      { from: "query", matches: "0\\.0\\.0\\.0%2F0|0\\.0\\.0\\.0/0|%3A%3A%2F0" },
    ],
    category: "security.weaken",
    reason: "EC2 security group opened to the internet",
  },
  {
    host: EC2,
    method: QUERY,
    path: "/",
    when: action(["DisableEbsEncryptionByDefault"]),
    category: "security.weaken",
    reason: "EC2 {Action}",
  },
  {
    host: EC2,
    method: QUERY,
    path: "/",
    when: action(["CreateKeyPair", "ImportKeyPair"]),
    category: "iam.change",
    reason: "EC2 {Action}",
  },
  {
    host: EC2,
    method: QUERY,
    path: "/",
    when: action(["DeleteFlowLogs"]),
    category: "audit.tamper",
    reason: "EC2 {Action}",
  },

  // IAM
  {
    host: IAM,
    method: QUERY,
    path: "/",
    when: action([
      "CreateUser",
      "DeleteUser",
      "CreateAccessKey",
      "UpdateAccessKey",
      "CreateLoginProfile",
      "UpdateLoginProfile",
      "AttachUserPolicy",
      "AttachRolePolicy",
      "AttachGroupPolicy",
      "PutUserPolicy",
      "PutRolePolicy",
      "PutGroupPolicy",
      "CreateRole",
      "DeleteRole",
      "UpdateAssumeRolePolicy",
      "AddUserToGroup",
      "CreatePolicyVersion",
      "SetDefaultPolicyVersion",
      "UploadSSHPublicKey",
      "CreateOpenIDConnectProvider",
      "CreateSAMLProvider",
      "DeactivateMFADevice",
      "DeleteUserPermissionsBoundary",
      "DeleteRolePermissionsBoundary",
    ]),
    category: "iam.change",
    reason: "IAM {Action} {UserName}",
  },

  // Logging and monitoring
  {
    host: "cloudtrail.{region}.amazonaws.com",
    method: QUERY,
    path: "/",
    when: action([
      "StopLogging",
      "DeleteTrail",
      "UpdateTrail",
      "PutEventSelectors",
      "DeleteEventDataStore",
    ]),
    category: "audit.tamper",
    reason: "CloudTrail {Action} {Name}",
  },
  {
    host: "logs.{region}.amazonaws.com",
    method: QUERY,
    path: "/",
    when: action([
      "DeleteLogGroup",
      "DeleteLogStream",
      "PutRetentionPolicy",
      "DeleteSubscriptionFilter",
    ]),
    category: "audit.tamper",
    reason: "CloudWatch Logs {Action} {logGroupName}",
  },
  {
    host: "monitoring.{region}.amazonaws.com",
    method: QUERY,
    path: "/",
    when: action(["DeleteAlarms", "DisableAlarmActions"]),
    category: "audit.tamper",
    reason: "CloudWatch {Action}",
  },
  {
    host: "config.{region}.amazonaws.com",
    method: QUERY,
    path: "/",
    when: action([
      "StopConfigurationRecorder",
      "DeleteConfigurationRecorder",
      "DeleteDeliveryChannel",
    ]),
    category: "audit.tamper",
    reason: "AWS Config {Action}",
  },
  {
    host: "guardduty.{region}.amazonaws.com",
    method: "DELETE",
    path: "/detector/{detector}",
    category: "audit.tamper",
    reason: "GuardDuty detector delete: {detector}",
  },

  // Databases and storage
  {
    host: "dynamodb.{region}.amazonaws.com",
    method: "POST",
    path: "/",
    when: action(["DeleteTable"]),
    category: "data.destroy",
    reason: "DynamoDB DeleteTable {TableName}",
    resource: "aws:dynamodb:{region}:table/{TableName}",
  },
  {
    host: "dynamodb.{region}.amazonaws.com",
    method: "POST",
    path: "/",
    when: action(["DeleteBackup"]),
    category: "backup.destroy",
    reason: "DynamoDB DeleteBackup",
  },
  {
    host: "dynamodb.{region}.amazonaws.com",
    method: "POST",
    path: "/",
    when: [
      ...action(["UpdateContinuousBackups"]),
      {
        from: "field",
        name: "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled",
        equals: [false],
      },
    ],
    category: "backup.destroy",
    reason: "DynamoDB point-in-time recovery disabled: {TableName}",
  },
  {
    host: RDS,
    method: QUERY,
    path: "/",
    when: action(["DeleteDBInstance", "DeleteDBCluster"]),
    category: "data.destroy",
    reason: "RDS {Action} {DBInstanceIdentifier}",
  },
  {
    host: RDS,
    method: QUERY,
    path: "/",
    when: action([
      "DeleteDBSnapshot",
      "DeleteDBClusterSnapshot",
      "DeleteDBInstanceAutomatedBackup",
    ]),
    category: "backup.destroy",
    reason: "RDS {Action}",
  },
  {
    host: RDS,
    method: QUERY,
    path: "/",
    when: [
      ...action(["ModifyDBInstance", "ModifyDBCluster"]),
      { from: "field", name: "BackupRetentionPeriod", equals: [0] },
    ],
    category: "backup.destroy",
    reason: "RDS backups disabled: {DBInstanceIdentifier}",
  },
  {
    host: "elasticache.{region}.amazonaws.com",
    method: QUERY,
    path: "/",
    when: action(["DeleteCacheCluster", "DeleteReplicationGroup"]),
    category: "data.destroy",
    reason: "ElastiCache {Action}",
  },
  {
    host: "redshift.{region}.amazonaws.com",
    method: QUERY,
    path: "/",
    when: action(["DeleteCluster"]),
    category: "data.destroy",
    reason: "Redshift DeleteCluster {ClusterIdentifier}",
  },
  {
    host: "elasticfilesystem.{region}.amazonaws.com",
    method: "DELETE",
    path: "/2015-02-01/file-systems/{filesystem}",
    category: "data.destroy",
    reason: "EFS file system delete: {filesystem}",
  },
  {
    host: "kms.{region}.amazonaws.com",
    method: "POST",
    path: "/",
    when: action(["ScheduleKeyDeletion", "DisableKey"]),
    category: "data.destroy",
    reason: "KMS {Action}: data encrypted under the key becomes unreadable",
  },
  {
    host: "kms.{region}.amazonaws.com",
    method: "POST",
    path: "/",
    when: action(["PutKeyPolicy", "CreateGrant"]),
    category: "iam.change",
    reason: "KMS {Action}",
  },

  // Backups
  {
    host: "backup.{region}.amazonaws.com",
    method: "DELETE",
    path: "/{kind}/{name+}",
    when: [{ from: "param", name: "kind", equals: ["backup-vaults", "backup"] }],
    category: "backup.destroy",
    reason: "AWS Backup delete: {name}",
  },
  {
    host: "backup.{region}.amazonaws.com",
    method: "POST",
    path: "/",
    when: action([
      "DeleteBackupVault",
      "DeleteRecoveryPoint",
      "DeleteBackupPlan",
      "DeleteBackupSelection",
    ]),
    category: "backup.destroy",
    reason: "AWS Backup {Action}",
  },

  // Secrets
  {
    host: "secretsmanager.{region}.amazonaws.com",
    method: "POST",
    path: "/",
    when: action(["GetSecretValue", "BatchGetSecretValue"]),
    category: "secret.access",
    reason: "Secrets Manager {Action} {SecretId}",
    resource: "aws:secretsmanager:{region}:secret/{SecretId}",
  },
  {
    host: "ssm.{region}.amazonaws.com",
    method: "POST",
    path: "/",
    when: [
      ...action(["GetParameter", "GetParameters", "GetParametersByPath"]),
      { from: "field", name: "WithDecryption", equals: [true] },
    ],
    category: "secret.access",
    reason: "SSM {Action} with decryption {Name}",
  },
  {
    host: "ssm.{region}.amazonaws.com",
    method: "POST",
    path: "/",
    when: action(["SendCommand", "StartSession"]),
    category: "opaque",
    reason: "SSM {Action}: commands run on instances, their effect is unknown",
  },

  // Compute and stacks
  {
    host: "cloudformation.{region}.amazonaws.com",
    method: QUERY,
    path: "/",
    when: action(["DeleteStack"]),
    category: "infra.destroy",
    reason: "CloudFormation DeleteStack {StackName}",
  },
  {
    host: "ecs.{region}.amazonaws.com",
    method: "POST",
    path: "/",
    when: action(["DeleteCluster", "DeleteService"]),
    category: "infra.destroy",
    reason: "ECS {Action} {service}",
  },
  {
    host: "ecs.{region}.amazonaws.com",
    method: "POST",
    path: "/",
    when: [...action(["UpdateService"]), { from: "field", name: "desiredCount", equals: [0] }],
    category: "infra.destroy",
    reason: "ECS service scaled to zero: {service}",
  },
  {
    host: "autoscaling.{region}.amazonaws.com",
    method: QUERY,
    path: "/",
    when: action(["DeleteAutoScalingGroup"]),
    category: "infra.destroy",
    reason: "Auto Scaling group delete: {AutoScalingGroupName}",
  },
  {
    host: "autoscaling.{region}.amazonaws.com",
    method: QUERY,
    path: "/",
    when: [
      ...action(["UpdateAutoScalingGroup", "SetDesiredCapacity"]),
      { from: "field", name: "DesiredCapacity", equals: [0] },
    ],
    category: "infra.destroy",
    reason: "Auto Scaling group scaled to zero: {AutoScalingGroupName}",
  },
  {
    host: "eks.{region}.amazonaws.com",
    method: "DELETE",
    path: "/clusters/{cluster}/node-groups/{nodegroup}",
    category: "infra.destroy",
    reason: "EKS node group delete: {cluster}/{nodegroup}",
  },
  {
    host: "eks.{region}.amazonaws.com",
    method: "DELETE",
    path: "/clusters/{cluster}",
    category: "infra.destroy",
    reason: "EKS cluster delete: {cluster}",
  },
  {
    host: "lambda.{region}.amazonaws.com",
    method: "DELETE",
    path: "/{version}/functions/{function}",
    category: "infra.destroy",
    reason: "Lambda function delete: {function}",
  },
  {
    host: "route53.amazonaws.com",
    method: "DELETE",
    path: "/2013-04-01/hostedzone/{zone}",
    category: "infra.destroy",
    reason: "Route 53 hosted zone delete: {zone}",
  },

  // Email and SMS
  {
    host: "email.{region}.amazonaws.com",
    method: QUERY,
    path: "/",
    when: action(["SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail"]),
    category: "external.send",
    reason: "SES {Action}",
  },
  {
    host: "email.{region}.amazonaws.com",
    method: "POST",
    path: "/v2/email/{kind}",
    when: [{ from: "param", name: "kind", equals: ["outbound-emails", "outbound-bulk-emails"] }],
    category: "external.send",
    reason: "SES email send",
  },
  {
    host: "sns.{region}.amazonaws.com",
    method: QUERY,
    path: "/",
    when: [...action(["Publish"]), { from: "field", name: "PhoneNumber" }],
    category: "external.send",
    reason: "SNS SMS to a phone number",
  },
];
