/** The API's name for LINE Pay barcode (My Code) payments. */
export const LINE_QRCODE_PAY = 'LINE_QRCODE_PAY';
