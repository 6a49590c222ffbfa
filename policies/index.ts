// Builds the pack and nothing else: constructing a PolicyPack starts the analyzer server.
import { PolicyPack } from "@pulumi/policy";
import { allRules } from "./rules";

new PolicyPack("pulumi-upgrades", { policies: allRules });
