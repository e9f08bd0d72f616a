import { describe } from "vitest";
import { amzTarget, check, FORM } from "../test-support/table.js";

describe("AWS", () => {
  check([
    {
      r: "GET https://ec2.us-east-1.amazonaws.com/?Action=TerminateInstances&InstanceId.1=i-0abc&Version=2016-11-15",
      cats: ["infra.destroy"],
      reason: "EC2 TerminateInstances i-0abc",
    },
    {
      r: "POST https://ec2.amazonaws.com/",
      body: "Action=TerminateInstances&InstanceId.1=i-1",
      headers: FORM,
      cats: ["infra.destroy"],
    },
    {
      r: "POST https://ec2.eu-west-1.amazonaws.com/",
      body: "Action=DeleteVolume&VolumeId=vol-1",
      cats: ["data.destroy"],
    },
    {
      r: "POST https://ec2.eu-west-1.amazonaws.com/",
      body: "Action=DeleteSnapshot&SnapshotId=snap-1",
      cats: ["backup.destroy"],
    },
    {
      r: "POST https://ec2.eu-west-1.amazonaws.com/",
      body: "Action=DeregisterImage&ImageId=ami-1",
      cats: ["backup.destroy"],
    },
    {
      r: "POST https://ec2.eu-west-1.amazonaws.com/",
      body: "Action=AuthorizeSecurityGroupIngress&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0",
      cats: ["security.weaken"],
    },
    {
      r: "POST https://ec2.eu-west-1.amazonaws.com/",
      body: "Action=AuthorizeSecurityGroupIngress&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8",
      cats: [],
    },
    { r: "POST https://ec2.eu-west-1.amazonaws.com/", body: "Action=DescribeInstances", cats: [] },
    // Repeated parameters are read the way that crosses the line.
    {
      r: "GET https://ec2.us-east-1.amazonaws.com/?Action=DescribeInstances&Action=TerminateInstances",
      cats: ["infra.destroy"],
    },
    {
      r: "POST https://iam.amazonaws.com/",
      body: "Action=CreateAccessKey&UserName=bob",
      cats: ["iam.change"],
      reason: "IAM CreateAccessKey bob",
    },
    {
      r: "POST https://iam.amazonaws.com/",
      body: "Action=AttachUserPolicy&UserName=bob&PolicyArn=arn:aws:iam::aws:policy/AdministratorAccess",
      cats: ["iam.change"],
    },
    {
      r: "POST https://iam.amazonaws.com/",
      body: "Action=CreateUser&UserName=eve",
      cats: ["iam.change"],
    },
    { r: "POST https://iam.amazonaws.com/", body: "Action=ListUsers", cats: [] },
    {
      r: "POST https://cloudtrail.us-east-1.amazonaws.com/",
      body: { Name: "main" },
      headers: amzTarget("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.StopLogging"),
      cats: ["audit.tamper"],
      reason: "CloudTrail StopLogging main",
    },
    {
      r: "POST https://cloudtrail.us-east-1.amazonaws.com/",
      body: { Name: "main" },
      headers: amzTarget("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DeleteTrail"),
      cats: ["audit.tamper"],
    },
    {
      r: "POST https://cloudtrail.us-east-1.amazonaws.com/",
      body: {},
      headers: amzTarget("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails"),
      cats: [],
    },
    {
      r: "POST https://dynamodb.us-east-1.amazonaws.com/",
      body: { TableName: "users" },
      headers: amzTarget("DynamoDB_20120810.DeleteTable"),
      cats: ["data.destroy"],
      resource: "aws:dynamodb:us-east-1:table/users",
    },
    {
      r: "POST https://dynamodb.us-east-1.amazonaws.com/",
      body: { TableName: "users", Key: {} },
      headers: amzTarget("DynamoDB_20120810.DeleteItem"),
      cats: [],
    },
    {
      r: "POST https://dynamodb.us-east-1.amazonaws.com/",
      body: {
        TableName: "t",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
      },
      headers: amzTarget("DynamoDB_20120810.UpdateContinuousBackups"),
      cats: ["backup.destroy"],
    },
    {
      r: "POST https://backup.us-east-1.amazonaws.com/",
      body: { BackupVaultName: "v" },
      headers: amzTarget("CryoControllerUserManager.DeleteBackupVault"),
      cats: ["backup.destroy"],
    },
    {
      r: "DELETE https://backup.us-east-1.amazonaws.com/backup-vaults/prod-vault",
      cats: ["backup.destroy"],
    },
    {
      r: "DELETE https://backup.us-east-1.amazonaws.com/backup-vaults/v/recovery-points/arn%3Aaws%3Aec2%3A%3Asnap",
      cats: ["backup.destroy"],
    },
    {
      r: "POST https://rds.us-east-1.amazonaws.com/",
      body: "Action=DeleteDBInstance&DBInstanceIdentifier=prod-db",
      cats: ["data.destroy"],
      reason: "prod-db",
    },
    {
      r: "POST https://rds.us-east-1.amazonaws.com/",
      body: "Action=ModifyDBInstance&DBInstanceIdentifier=db&BackupRetentionPeriod=0",
      cats: ["backup.destroy"],
    },
    {
      r: "POST https://secretsmanager.us-east-1.amazonaws.com/",
      body: { SecretId: "prod/db" },
      headers: amzTarget("secretsmanager.GetSecretValue"),
      cats: ["secret.access"],
    },
    {
      r: "POST https://ssm.us-east-1.amazonaws.com/",
      body: { Name: "/db/pw", WithDecryption: true },
      headers: amzTarget("AmazonSSM.GetParameter"),
      cats: ["secret.access"],
    },
    {
      r: "POST https://ssm.us-east-1.amazonaws.com/",
      body: { Name: "/app/region" },
      headers: amzTarget("AmazonSSM.GetParameter"),
      cats: [],
    },
    {
      r: "POST https://kms.us-east-1.amazonaws.com/",
      body: { KeyId: "k" },
      headers: amzTarget("TrentService.ScheduleKeyDeletion"),
      cats: ["data.destroy"],
    },
    {
      r: "POST https://cloudformation.us-east-1.amazonaws.com/",
      body: "Action=DeleteStack&StackName=prod",
      cats: ["infra.destroy"],
    },
    {
      r: "DELETE https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/billing",
      cats: ["infra.destroy"],
    },
    {
      r: "POST https://email.us-east-1.amazonaws.com/",
      body: "Action=SendEmail&Destination.ToAddresses.member.1=a%40b.c",
      cats: ["external.send"],
    },
    {
      r: "POST https://logs.us-east-1.amazonaws.com/",
      body: { logGroupName: "/aws/app" },
      headers: amzTarget("Logs_20140328.DeleteLogGroup"),
      cats: ["audit.tamper"],
    },
    {
      r: "GET https://169.254.169.254/latest/meta-data/iam/security-credentials/web-role",
      cats: ["secret.access"],
    },
    { r: "GET https://169.254.169.254/latest/meta-data/instance-id", cats: [] },
  ]);
});
