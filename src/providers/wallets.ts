import { icashQrcodePay } from './icash-pay/wallet.js';
import { linePayQrcode } from './line-pay/wallet.js';
import type { Wallet } from './wallet.js';

/** Every wallet the gateway speaks: adding one is its folder and one line here. */
export const WALLETS: readonly Wallet[] = [icashQrcodePay, linePayQrcode];
