/** The API's name for icash Pay offline barcode payments. */
export const I_CASH_QRCODE_PAY = 'I_CASH_QRCODE_PAY';
/** Its name for people: messages and the console. */
export const I_CASH_DISPLAY_NAME = 'icash Pay';
