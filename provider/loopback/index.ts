export { Setting, type SettingArgs, type LoopbackConnectionArgs } from "./setting";
